import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: OrderLoader {
    static func ensureOrderStaging(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS order_staging (
                job_id TEXT NOT NULL,
                order_id TEXT NOT NULL,
                sku TEXT NOT NULL,
                line INTEGER NOT NULL,
                quantity INTEGER NOT NULL,
                unit_price_units INTEGER NOT NULL,
                currency TEXT NOT NULL,
                ordered_at DATETIME NOT NULL,
                content_hash TEXT NOT NULL,
                PRIMARY KEY (job_id, order_id, sku)
            )
            """)
    }

    public func stageOrderLines(jobID: String, _ batch: [StagedOrderLine]) async throws -> [Int] {
        try await write { db in
            try Self.ensureOrderStaging(db)
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO order_staging (job_id, order_id, sku, line, quantity, unit_price_units, currency,
                    ordered_at, content_hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var duplicates: [Int] = []
            for row in batch {
                let record = row.record
                try insert.execute(arguments: [
                    jobID, record.orderID, record.sku, row.line, record.quantity, record.unitPrice.units, record.currency,
                    record.orderedAt, row.contentHash,
                ])
                if db.changesCount == 0 { duplicates.append(row.line) }
            }
            return duplicates
        }
    }

    public func mergeOrderLines(jobID: String, feed: Feed, now: Date, completing completion: AttemptCompletion) async throws -> MergeCounts {
        try await write { db in
            try Self.ensureOrderStaging(db)
            let partnerID = feed.partnerID
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) FILTER (WHERE l.order_seq IS NULL) AS inserted,
                       count(*) FILTER (WHERE l.order_seq IS NOT NULL AND l.content_hash != s.content_hash) AS updated,
                       count(*) FILTER (WHERE l.order_seq IS NOT NULL AND l.content_hash = s.content_hash) AS unchanged
                FROM order_staging s
                LEFT JOIN orders o ON o.partner_id = ? AND o.partner_order_id = s.order_id
                LEFT JOIN order_lines l ON l.order_seq = o.seq AND l.sku = s.sku
                WHERE s.job_id = ?
                """, arguments: [partnerID, jobID])!
            let counts = MergeCounts(inserted: row["inserted"], updated: row["updated"], unchanged: row["unchanged"])

            let rollUp = counts.inserted + counts.updated > 0
            if rollUp { try Self.rollupBeforeOrdersMerge(jobID: jobID, partnerID: partnerID, db) }

            // Orders first seen: numbered in the order of their first line, dated by that line.
            try db.execute(sql: "DROP TABLE IF EXISTS temp.new_orders")
            try db.execute(sql: """
                CREATE TEMP TABLE new_orders AS
                SELECT s.order_id, min(s.line) AS first_line FROM order_staging s
                WHERE s.job_id = ? AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.partner_id = ? AND o.partner_order_id = s.order_id)
                GROUP BY s.order_id ORDER BY first_line
                """, arguments: [jobID, partnerID])
            let newOrders = try Int64.fetchOne(db, sql: "SELECT count(*) FROM new_orders") ?? 0
            var newSeqs: ClosedRange<Int64>?
            if newOrders > 0 {
                let last = try Int64.fetchOne(db, sql: """
                    INSERT INTO id_counters (kind, value) VALUES ('OR', ?)
                    ON CONFLICT (kind) DO UPDATE SET value = value + excluded.value
                    RETURNING value
                    """, arguments: [newOrders])!
                newSeqs = (last - newOrders + 1)...last
                try db.execute(sql: """
                    INSERT INTO orders (seq, order_id, partner_id, partner_name, partner_order_id, currency, ordered_at, feed_id, created_at)
                    SELECT ?1 + n.rowid, 'OR' || printf('%05d', ?1 + n.rowid), ?2, ?3, n.order_id, s.currency, s.ordered_at, ?4, ?5
                    FROM new_orders n CROSS JOIN order_staging s ON s.job_id = ?6 AND s.order_id = n.order_id AND s.line = n.first_line
                    """, arguments: [last - newOrders, partnerID, feed.partnerName, feed.feedID, now, jobID])
            }
            try db.execute(sql: "DROP TABLE temp.new_orders")
            if counts.updated > 0 {
                try db.execute(sql: """
                    UPDATE order_lines SET quantity = s.quantity, unit_price_units = s.unit_price_units, currency = s.currency,
                        ordered_at = s.ordered_at, content_hash = s.content_hash, feed_id = ?, updated_at = ?
                    FROM order_staging s JOIN orders o ON o.partner_id = ? AND o.partner_order_id = s.order_id
                    WHERE s.job_id = ? AND order_lines.order_seq = o.seq AND order_lines.sku = s.sku
                      AND order_lines.content_hash != s.content_hash
                    """, arguments: [feed.feedID, now, partnerID, jobID])
            }
            if counts.inserted > 0 {
                try db.execute(sql: """
                    INSERT INTO order_lines (order_seq, sku, quantity, unit_price_units, currency, ordered_at, content_hash,
                        feed_id, created_at, updated_at)
                    SELECT o.seq, s.sku, s.quantity, s.unit_price_units, s.currency, s.ordered_at, s.content_hash, ?, ?, ?
                    FROM order_staging s JOIN orders o ON o.partner_id = ? AND o.partner_order_id = s.order_id
                    WHERE s.job_id = ? AND NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_seq = o.seq AND l.sku = s.sku)
                    """, arguments: [feed.feedID, now, now, partnerID, jobID])
            }
            if rollUp { try Self.rollupAfterOrdersMerge(newOrders: newSeqs, db) }
            try db.execute(sql: "DELETE FROM order_staging WHERE job_id = ?", arguments: [jobID])
            try Self.complete(jobID: jobID, completion, counts, changePosition: nil, db)
            return counts
        }
    }
}
