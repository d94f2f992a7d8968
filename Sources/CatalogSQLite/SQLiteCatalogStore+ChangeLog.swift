import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: ProductChangeLog {
    public func changeBatches(from position: Int64, partnerName: String?, limit: Int) async throws -> [ChangeBatch] {
        try await read { db in
            let rows = if let partnerName {
                try Row.fetchAll(db, sql: """
                    SELECT * FROM product_change_batches WHERE partner_name = ? AND position >= ? ORDER BY position LIMIT ?
                    """, arguments: [partnerName, position, limit])
            } else {
                try Row.fetchAll(db, sql: """
                    SELECT * FROM product_change_batches WHERE position >= ? ORDER BY position LIMIT ?
                    """, arguments: [position, limit])
            }
            return rows.map { row in
                ChangeBatch(batchID: row["batch_id"], position: row["position"], partnerName: row["partner_name"],
                            jobID: row["job_id"], changes: row["changes"])
            }
        }
    }

    public func changedProducts(batchID: Int64, afterSeq: Int64, limit: Int) async throws -> [Product] {
        try await read { db in
            try Self.products(db, sql: """
                SELECT \(Self.productColumns) FROM products WHERE change_batch = ? AND seq > ? ORDER BY seq LIMIT ?
                """, arguments: [batchID, afterSeq, limit], capacity: limit)
        }
    }

    public func latestChangePosition() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(position), 0) FROM product_change_batches") ?? 0 }
    }

    /// At the end of a merge that changed products: its batch at the next position (one writer at a
    /// time, so position order is commit order). Nil when nothing changed.
    static func recordChangeBatch(_ batch: Int64, jobID: String, feed: Feed, _ counts: MergeCounts, now: Date, _ db: Database) throws -> Int64? {
        let changes = counts.inserted + counts.updated + counts.deactivated
        guard changes > 0 else { return nil }
        return try Int64.fetchOne(db, sql: """
            INSERT INTO product_change_batches (batch_id, position, job_id, feed_id, partner_name, changes, committed_at)
            VALUES (?, (SELECT coalesce(max(position), 0) + 1 FROM product_change_batches), ?, ?, ?, ?, ?)
            RETURNING position
            """, arguments: [batch, jobID, feed.feedID, feed.partnerName, changes, now])
    }
}

/// The embedded store serves its own products: what it has committed, it serves.
extension SQLiteCatalogStore: ProductReadModel {
    public func waitUntilApplied(_ position: Int64, timeout: Double) async -> Bool { true }
    public func servedPosition() async throws -> Int64 { try await latestChangePosition() }
}
