import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: ProductLoader {
    public func resetAttempt(jobID: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM product_staging WHERE job_id = ?", arguments: [jobID])
            try db.execute(sql: "DELETE FROM job_errors WHERE job_id = ?", arguments: [jobID])
        }
    }

    public func stage(jobID: String, _ batch: [StagedProduct]) async throws -> [Int] {
        try await write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO product_staging (job_id, sku, line, product_name, description, brand, category,
                    price_units, currency, availability, quantity, image_urls, attributes, content_hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var duplicates: [Int] = []
            for row in batch {
                let record = row.record
                try insert.execute(arguments: [
                    jobID, record.sku, row.line, record.productName, record.description, record.brand, record.category,
                    record.price.units, record.currency, record.availability.rawValue, record.quantity,
                    JSONText.array(record.imageURLs), JSONText.object(record.attributes), row.contentHash,
                ])
                if db.changesCount == 0 { duplicates.append(row.line) }
            }
            return duplicates
        }
    }

    public func recordDiagnostics(jobID: String, _ diagnostics: [RowDiagnostic]) async throws {
        try await write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO job_errors (job_id, line, sku, column_name, code, message, value) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for diagnostic in diagnostics {
                try insert.execute(arguments: [
                    jobID, diagnostic.line, diagnostic.sku, diagnostic.column, diagnostic.code, diagnostic.message, diagnostic.value,
                ])
            }
        }
    }

    public func merge(jobID: String, feed: Feed, now: Date) async throws -> MergeCounts {
        try await write { db in
            let partnerID = feed.partnerID
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) FILTER (WHERE p.seq IS NULL) AS inserted,
                       count(*) FILTER (WHERE p.seq IS NOT NULL AND (p.content_hash != s.content_hash OR p.status != 'active')) AS updated,
                       count(*) FILTER (WHERE p.seq IS NOT NULL AND p.content_hash = s.content_hash AND p.status = 'active') AS unchanged
                FROM product_staging s LEFT JOIN products p ON p.partner_id = ? AND p.sku = s.sku
                WHERE s.job_id = ?
                """, arguments: [partnerID, jobID])!
            var counts = MergeCounts(inserted: row["inserted"], updated: row["updated"], unchanged: row["unchanged"])

            if counts.updated > 0 {
                try db.execute(sql: """
                    UPDATE products SET product_name = s.product_name, description = s.description, brand = s.brand,
                        category = s.category, price_units = s.price_units, currency = s.currency,
                        availability = s.availability, quantity = s.quantity, image_urls = s.image_urls,
                        attributes = s.attributes, content_hash = s.content_hash, status = 'active', feed_id = ?, updated_at = ?
                    FROM product_staging s
                    WHERE s.job_id = ? AND products.partner_id = ? AND products.sku = s.sku
                      AND (products.content_hash != s.content_hash OR products.status != 'active')
                    """, arguments: [feed.feedID, now, jobID, partnerID])
            }
            if counts.inserted > 0 {
                // One block of product IDs for the whole feed, numbered in file order.
                let last = try Int64.fetchOne(db, sql: """
                    INSERT INTO id_counters (kind, value) VALUES ('PR', ?)
                    ON CONFLICT (kind) DO UPDATE SET value = value + excluded.value
                    RETURNING value
                    """, arguments: [counts.inserted])!
                try db.execute(sql: """
                    INSERT INTO products (seq, product_id, partner_id, partner_name, sku, product_name, description, brand,
                        category, price_units, currency, availability, quantity, image_urls, attributes, content_hash, status,
                        feed_id, created_at, updated_at)
                    SELECT n, 'PR' || printf('%05d', n), ?, ?, sku, product_name, description, brand, category, price_units,
                        currency, availability, quantity, image_urls, attributes, content_hash, 'active', ?, ?, ?
                    FROM (
                        SELECT s.*, ? + row_number() OVER (ORDER BY s.line) AS n
                        FROM product_staging s
                        WHERE s.job_id = ? AND NOT EXISTS (SELECT 1 FROM products p WHERE p.partner_id = ? AND p.sku = s.sku)
                    )
                    """, arguments: [
                        partnerID, feed.partnerName, feed.feedID, now, now, last - counts.inserted, jobID, partnerID,
                    ])
            }
            if feed.mode == .full {
                try db.execute(sql: """
                    UPDATE products SET status = 'inactive', feed_id = ?, updated_at = ?
                    WHERE partner_id = ? AND status = 'active'
                      AND NOT EXISTS (SELECT 1 FROM product_staging s WHERE s.job_id = ? AND s.sku = products.sku)
                    """, arguments: [feed.feedID, now, partnerID, jobID])
                counts.deactivated = Int64(db.changesCount)
            }
            try db.execute(sql: "DELETE FROM product_staging WHERE job_id = ?", arguments: [jobID])
            return counts
        }
    }

    public func diagnostics(jobID: String, _ page: PageRequest) async throws -> Page<RowDiagnostic> {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM job_errors WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?
                """, arguments: [jobID, page.after ?? 0, page.limit + 1])
            return Self.page(rows, limit: page.limit) { row in
                RowDiagnostic(
                    line: row["line"], sku: row["sku"], column: row["column_name"], code: row["code"],
                    message: row["message"], value: row["value"])
            }
        }
    }
}

enum JSONText {
    static func array(_ values: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(values)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func object(_ values: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(values)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
