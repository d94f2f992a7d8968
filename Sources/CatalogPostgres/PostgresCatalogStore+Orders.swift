import CatalogCore
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalogStore: OrderLoader {
    /// COPY straight into staging, as for products; duplicates are left to `mergeOrderLines`.
    public func stageOrderLines(jobID: String, _ batch: [StagedOrderLine]) async throws -> [Int] {
        guard !batch.isEmpty else { return [] }
        var encoder = ColumnArrays(into: "order_staging", [
            ("job_id", .text), ("order_id", .text), ("sku", .text), ("line", .bigint), ("quantity", .bigint),
            ("unit_price_units", .bigint), ("currency", .text), ("ordered_at", .timestamptz), ("content_hash", .text),
        ], bytesPerRow: 128, rows: batch.count)
        for row in batch {
            let record = row.record
            encoder.field(jobID)
            encoder.field(record.orderID)
            encoder.field(record.sku)
            encoder.field(row.line)
            encoder.field(record.quantity)
            encoder.field(record.unitPrice.units)
            encoder.field(record.currency)
            encoder.field(record.orderedAt)
            encoder.field(row.contentHash)
            encoder.endRow()
        }
        try await insert(encoder)
        return []
    }

    public func mergeOrderLines(jobID: String, feed: Feed, now: Date, completing completion: AttemptCompletion) async throws -> MergeCounts {
        try await transaction(.unbounded) { connection in
            let logger = self.logger
            let partnerID = feed.partnerID
            try await Self.tuneForBulkMerge(staging: "order_staging", connection, logger)
            let duplicates = try await connection.query("""
                WITH dup AS (
                    SELECT order_id, sku, min(line) AS first FROM order_staging WHERE job_id = \(jobID)
                    GROUP BY order_id, sku HAVING count(*) > 1),
                gone AS (
                    DELETE FROM order_staging s USING dup
                    WHERE s.job_id = \(jobID) AND s.order_id = dup.order_id AND s.sku = dup.sku AND s.line > dup.first
                    RETURNING s.line, s.order_id, s.sku),
                recorded AS (
                    INSERT INTO job_errors (job_id, line, sku, column_name, code, message, value)
                    SELECT \(jobID), line, sku, 'sku', \(DuplicateRows.orderLineCode),
                        \(DuplicateRows.orderLinePrefix) || order_id || \(DuplicateRows.orderLineSuffix), order_id
                    FROM gone
                    RETURNING 1)
                SELECT count(*) FROM recorded
                """, logger: logger).one(Int64.self) ?? 0
            guard let row = try await connection.query("""
                SELECT count(*) FILTER (WHERE l.order_seq IS NULL) AS inserted,
                       count(*) FILTER (WHERE l.order_seq IS NOT NULL AND l.content_hash <> s.content_hash) AS updated,
                       count(*) FILTER (WHERE l.order_seq IS NOT NULL AND l.content_hash = s.content_hash) AS unchanged
                FROM order_staging s
                LEFT JOIN orders o ON o.partner_id = \(partnerID) AND o.partner_order_id = s.order_id
                LEFT JOIN order_lines l ON l.order_seq = o.seq AND l.sku = s.sku
                WHERE s.job_id = \(jobID)
                """, logger: logger).first()
            else { throw CatalogError(.internal, "The merge counts came back empty.") }
            let counts = MergeCounts(
                inserted: try row.value("inserted"), updated: try row.value("updated"), unchanged: try row.value("unchanged"),
                duplicates: duplicates)

            let rollUp = counts.inserted + counts.updated > 0
            if rollUp { try await Self.rollupBeforeOrdersMerge(jobID: jobID, partnerID: partnerID, connection, logger) }

            // Orders first seen: numbered in the order of their first line, dated by that line.
            let newOrders = try await connection.query("""
                SELECT count(DISTINCT s.order_id) FROM order_staging s
                WHERE s.job_id = \(jobID)
                  AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.partner_id = \(partnerID) AND o.partner_order_id = s.order_id)
                """, logger: logger).one(Int64.self) ?? 0
            var newSeqs: ClosedRange<Int64>?
            if newOrders > 0 {
                let block = try await Self.allocate(.order, count: newOrders, connection, logger)
                let first = block.last - newOrders
                newSeqs = (first + 1)...block.last
                try await connection.query("""
                    INSERT INTO orders (seq, order_id, partner_id, partner_name, partner_order_id, currency, ordered_at, feed_id,
                        created_at)
                    SELECT n.seq, catalog_id('OR', n.seq), \(partnerID), \(feed.partnerName), n.order_id, n.currency,
                        n.ordered_at, \(feed.feedID), \(now)
                    FROM (
                        SELECT \(first) + row_number() OVER (ORDER BY f.line) AS seq, f.*
                        FROM (
                            SELECT DISTINCT ON (s.order_id) s.order_id, s.line, s.currency, s.ordered_at
                            FROM order_staging s
                            WHERE s.job_id = \(jobID)
                              AND NOT EXISTS (
                                  SELECT 1 FROM orders o WHERE o.partner_id = \(partnerID) AND o.partner_order_id = s.order_id)
                            ORDER BY s.order_id, s.line
                        ) f
                    ) n
                    """, logger: logger).drain()
            }
            if counts.updated > 0 {
                try await connection.query("""
                    UPDATE order_lines l SET quantity = s.quantity, unit_price_units = s.unit_price_units, currency = s.currency,
                        ordered_at = s.ordered_at, content_hash = s.content_hash, feed_id = \(feed.feedID), updated_at = \(now)
                    FROM order_staging s JOIN orders o ON o.partner_id = \(partnerID) AND o.partner_order_id = s.order_id
                    WHERE s.job_id = \(jobID) AND l.order_seq = o.seq AND l.sku = s.sku AND l.content_hash <> s.content_hash
                    """, logger: logger).drain()
            }
            if counts.inserted > 0 {
                try await connection.query("""
                    INSERT INTO order_lines (order_seq, sku, quantity, unit_price_units, currency, ordered_at, content_hash,
                        feed_id, created_at, updated_at)
                    SELECT o.seq, s.sku, s.quantity, s.unit_price_units, s.currency, s.ordered_at, s.content_hash,
                        \(feed.feedID), \(now), \(now)
                    FROM order_staging s JOIN orders o ON o.partner_id = \(partnerID) AND o.partner_order_id = s.order_id
                    WHERE s.job_id = \(jobID)
                      AND NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_seq = o.seq AND l.sku = s.sku)
                    """, logger: logger).drain()
            }
            try await connection.query("DELETE FROM order_staging WHERE job_id = \(jobID)", logger: logger).drain()
            try await Self.complete(jobID: jobID, completion, counts, changePosition: nil, connection, logger)
            // Last before COMMIT: the rollup rows it updates stay locked (a posted order of this partner
            // on the same days waits) for as short a time as possible.
            if rollUp { try await Self.rollupAfterOrdersMerge(newOrders: newSeqs, connection, logger) }
            return counts
        }
    }
}
