import CatalogCore
import Foundation
import Logging
import PostgresNIO

/// The product change feed, and the snapshot a node's read model starts from.
extension PostgresCatalogStore: ProductChangeLog, ProductSnapshotSource {
    static let productColumns = """
        seq, product_id, partner_name, sku, product_name, description, brand, category, price_units, currency,
        availability, quantity, image_urls, attributes, status, feed_id, created_at, updated_at, gtin, mpn, item_seq
        """

    /// Held from a merge's position until its commit, so that positions are taken in commit order.
    static let changeFeedLock: Int64 = 0x7061_7274_6e65_7203

    public func changeBatches(from position: Int64, partnerName: String?, limit: Int) async throws -> [ChangeBatch] {
        try await withConnection { connection in
            let rows = if let partnerName {
                try await connection.query("""
                    SELECT batch_id, position, partner_name, job_id, changes FROM product_change_batches
                    WHERE partner_name = \(partnerName) AND position >= \(position) ORDER BY position LIMIT \(limit)
                    """, logger: self.logger).rows()
            } else {
                try await connection.query("""
                    SELECT batch_id, position, partner_name, job_id, changes FROM product_change_batches
                    WHERE position >= \(position) ORDER BY position LIMIT \(limit)
                    """, logger: self.logger).rows()
            }
            return try rows.map { row in
                ChangeBatch(batchID: try row[0].decode(Int64.self), position: try row[1].decode(Int64.self),
                            partnerName: try row[2].decode(String.self), jobID: try row[3].decode(String.self),
                            changes: try row[4].decode(Int64.self))
            }
        }
    }

    public func changedProducts(batchID: Int64, afterSeq: Int64, limit: Int) async throws -> [Product] {
        try await withConnection(.upTo(.seconds(120))) { connection in
            try await connection.query("""
                SELECT \(unescaped: Self.productColumns) FROM products
                WHERE change_batch = \(batchID) AND seq > \(afterSeq) ORDER BY seq LIMIT \(limit)
                """, logger: self.logger).rows().map(Self.product(from:))
        }
    }

    public func latestChangePosition() async throws -> Int64 {
        try await withConnection { connection in
            try await connection.query("SELECT coalesce(max(position), 0)::bigint FROM product_change_batches", logger: self.logger)
                .one(Int64.self) ?? 0
        }
    }

    /// One REPEATABLE READ transaction: the products and the last position are of the same instant.
    public func snapshot(batchSize: Int, _ body: @escaping @Sendable ([Product]) async throws -> Void) async throws -> Int64 {
        try await withConnection(.upTo(.seconds(1800))) { connection in
            let logger = self.logger
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger).drain()
            do {
                let position = try await connection.query(
                    "SELECT coalesce(max(position), 0)::bigint FROM product_change_batches", logger: logger).one(Int64.self) ?? 0
                var after: Int64 = 0
                while true {
                    let products = try await connection.query("""
                        SELECT \(unescaped: Self.productColumns) FROM products WHERE seq > \(after) ORDER BY seq LIMIT \(batchSize)
                        """, logger: logger).rows().map(Self.product(from:))
                    guard let last = products.last else { break }
                    try await body(products)
                    after = last.seq
                }
                try await connection.query("COMMIT", logger: logger).drain()
                return position
            } catch {
                try? await connection.query("ROLLBACK", logger: logger).drain()
                throw error
            }
        }
    }

    /// At the end of a merge that changed products: its batch at the next position, taken under
    /// `changeFeedLock`, which the transaction holds until it commits. Nil when nothing changed.
    static func recordChangeBatch(
        _ batch: Int64, jobID: String, feed: Feed, _ counts: MergeCounts, now: Date, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> Int64? {
        let changes = counts.inserted + counts.updated + counts.deactivated
        guard changes > 0 else { return nil }
        try await connection.query("SELECT pg_advisory_xact_lock(\(changeFeedLock))", logger: logger).drain()
        return try await connection.query("""
            INSERT INTO product_change_batches (batch_id, position, job_id, feed_id, partner_name, changes, committed_at)
            VALUES (\(batch), nextval('product_change_positions'), \(jobID), \(feed.feedID), \(feed.partnerName), \(changes), \(now))
            RETURNING position
            """, logger: logger).one(Int64.self)
    }

    static func product(from row: PostgresRandomAccessRow) throws -> Product {
        Product(
            seq: try row[0].decode(Int64.self), productID: try row[1].decode(String.self), partnerName: try row[2].decode(String.self),
            sku: try row[3].decode(String.self), productName: try row[4].decode(String.self),
            description: try row[5].decode(String?.self), brand: try row[6].decode(String?.self),
            category: try row[7].decode(String?.self), price: ExactDecimal(units: try row[8].decode(Int64.self)),
            currency: try row[9].decode(String.self), availability: try row[10].decode(String.self),
            quantity: try row[11].decode(Int64?.self), imageURLsJSON: try row[12].decode(String.self),
            attributesJSON: try row[13].decode(String.self),
            status: ProductStatus(rawValue: try row[14].decode(String.self)) ?? .inactive, feedID: try row[15].decode(String.self),
            createdAt: try row[16].decode(Date.self), updatedAt: try row[17].decode(Date.self),
            gtin: try row[18].decode(String?.self), mpn: try row[19].decode(String?.self),
            itemSeq: try row[20].decode(Int64?.self))
    }
}
