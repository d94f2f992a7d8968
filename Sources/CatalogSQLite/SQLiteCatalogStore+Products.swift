import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: ProductLoader {
    /// Staged rows live in a TEMP table of the writer connection: never journaled, never seen by readers,
    /// and gone with the process, like the attempt that staged them.
    static func ensureStaging(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS product_staging (
                job_id TEXT NOT NULL,
                sku TEXT NOT NULL,
                line INTEGER NOT NULL,
                product_name TEXT NOT NULL,
                description TEXT,
                brand TEXT,
                category TEXT,
                price_units INTEGER NOT NULL,
                currency TEXT NOT NULL,
                availability TEXT NOT NULL,
                quantity INTEGER,
                image_urls TEXT NOT NULL,
                attributes TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                PRIMARY KEY (job_id, sku)
            )
            """)
    }

    public func resetAttempt(jobID: String) async throws {
        try await write { db in
            try Self.ensureStaging(db)
            try Self.ensureOrderStaging(db)
            try db.execute(sql: "DELETE FROM product_staging WHERE job_id = ?", arguments: [jobID])
            try db.execute(sql: "DELETE FROM order_staging WHERE job_id = ?", arguments: [jobID])
            try db.execute(sql: "DELETE FROM job_errors WHERE job_id = ?", arguments: [jobID])
        }
    }

    public func stage(jobID: String, _ batch: [StagedProduct]) async throws -> [Int] {
        try await write { db in
            try Self.ensureStaging(db)
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
            try Self.ensureStaging(db)
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
                // One block of product IDs for the whole feed, numbered in file order. Only the narrow
                // (sku, line) pairs are sorted: sorting whole staged rows costs several times more.
                let last = try Int64.fetchOne(db, sql: """
                    INSERT INTO id_counters (kind, value) VALUES ('PR', ?)
                    ON CONFLICT (kind) DO UPDATE SET value = value + excluded.value
                    RETURNING value
                    """, arguments: [counts.inserted])!
                try db.execute(sql: "DROP TABLE IF EXISTS temp.new_products")
                try db.execute(sql: """
                    CREATE TEMP TABLE new_products AS
                    SELECT s.sku FROM product_staging s
                    WHERE s.job_id = ? AND NOT EXISTS (SELECT 1 FROM products p WHERE p.partner_id = ? AND p.sku = s.sku)
                    ORDER BY s.line
                    """, arguments: [jobID, partnerID])
                try db.execute(sql: """
                    INSERT INTO products (seq, product_id, partner_id, partner_name, sku, product_name, description, brand,
                        category, price_units, currency, availability, quantity, image_urls, attributes, content_hash, status,
                        feed_id, created_at, updated_at)
                    SELECT ?1 + n.rowid, 'PR' || printf('%05d', ?1 + n.rowid), ?2, ?3, s.sku, s.product_name, s.description,
                        s.brand, s.category, s.price_units, s.currency, s.availability, s.quantity, s.image_urls, s.attributes,
                        s.content_hash, 'active', ?4, ?5, ?5
                    FROM new_products n CROSS JOIN product_staging s ON s.job_id = ?6 AND s.sku = n.sku
                    """, arguments: [last - counts.inserted, partnerID, feed.partnerName, feed.feedID, now, jobID])
                try db.execute(sql: "DROP TABLE temp.new_products")
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
                SELECT * FROM job_errors WHERE job_id = ? AND line > ? ORDER BY line LIMIT ?
                """, arguments: [jobID, page.after ?? 0, page.limit + 1])
            return Self.page(rows, limit: page.limit, key: "line") { row in
                RowDiagnostic(
                    line: row["line"], sku: row["sku"], column: row["column_name"], code: row["code"],
                    message: row["message"], value: row["value"])
            }
        }
    }
}
