import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: ProductLoader {
    /// Staged rows live in a TEMP table of the writer connection: never journaled, never seen by readers,
    /// and gone with the process, like the attempt that staged them. A row whose product is already
    /// active with the same content is staged as `unchanged`, by its key alone; `product_seq` is the
    /// product a changed row updates (NULL: a new product). Rows of a job are staged in file order,
    /// so rowid order is file order.
    static func ensureStaging(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS product_staging (
                job_id TEXT NOT NULL,
                sku TEXT NOT NULL,
                line INTEGER NOT NULL,
                unchanged INTEGER NOT NULL,
                product_seq INTEGER,
                product_name TEXT,
                description TEXT,
                brand TEXT,
                category TEXT,
                price_units INTEGER,
                currency TEXT,
                availability TEXT,
                quantity INTEGER,
                image_urls TEXT,
                attributes TEXT,
                content_hash TEXT,
                row_fingerprint TEXT,
                UNIQUE (job_id, sku)
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

    /// One indexed lookup per row, on the writer: its cache holds the partner's products already (a
    /// reader beside it cost a second cache's worth of memory and the two contended in SQLite).
    public func unchangedRows(partnerID: String, _ fingerprints: [ProductFingerprint]) async throws -> [Bool] {
        try await write { db in
            let lookup = SQLiteRawStatement(try db.cachedStatement(sql: """
                SELECT 1 FROM products WHERE partner_id = ? AND sku = ? AND row_fingerprint = ? AND status = 'active'
                """))
            lookup.reset()
            lookup.bind(1, partnerID)
            var unchanged: [Bool] = []
            unchanged.reserveCapacity(fingerprints.count)
            for fingerprint in fingerprints {
                lookup.bind(2, fingerprint.sku)
                lookup.bind(3, fingerprint.digest)
                unchanged.append(try lookup.step(db))
                lookup.resetKeepingBindings()
            }
            return unchanged
        }
    }

    /// Rows read in full are looked up too: one whose product is active with the same content (a
    /// row written differently, or whose product predates fingerprints) is staged as `unchanged` by
    /// its key, with its fingerprint for the merge to keep, so an identical re-run writes almost
    /// nothing. Only one job of a partner runs at a time, so what the lookup saw still holds when
    /// the job merges.
    public func stage(jobID: String, partnerID: String, _ batch: [StagedProduct]) async throws -> [Int] {
        try await write { db in
            try Self.ensureStaging(db)
            let lookup = SQLiteRawStatement(try db.cachedStatement(sql: """
                SELECT seq, content_hash, status = 'active', row_fingerprint FROM products WHERE partner_id = ? AND sku = ?
                """))
            let unchanged = SQLiteRawStatement(try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO product_staging (job_id, sku, line, unchanged, product_seq, row_fingerprint)
                VALUES (?, ?, ?, 1, ?, ?)
                """))
            let changed = SQLiteRawStatement(try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO product_staging (job_id, sku, line, unchanged, product_seq, product_name, description,
                    brand, category, price_units, currency, availability, quantity, image_urls, attributes, content_hash,
                    row_fingerprint)
                VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """))
            lookup.reset()
            unchanged.reset()
            changed.reset()
            lookup.bind(1, partnerID)
            unchanged.bind(1, jobID)
            changed.bind(1, jobID)
            var duplicates: [Int] = []
            func staged(_ statement: SQLiteRawStatement, _ row: StagedProduct) throws {
                _ = try statement.step(db)
                statement.resetKeepingBindings()
                if db.changesCount == 0 { duplicates.append(row.line) }
            }
            for row in batch {
                guard case .record(let record, let contentHash) = row.content else {
                    unchanged.bind(2, row.sku)
                    unchanged.bind(3, Int64(row.line))
                    unchanged.bind(4, nil as Int64?)
                    unchanged.bind(5, nil as String?)
                    try staged(unchanged, row)
                    continue
                }
                lookup.bind(2, record.sku)
                var productSeq: Int64?
                var isUnchanged = false
                var keepsFingerprint = true
                if try lookup.step(db) {
                    productSeq = lookup.int64(0)
                    isUnchanged = lookup.int64(2) == 1 && lookup.text(1, equals: contentHash)
                    keepsFingerprint = row.fingerprint.map { lookup.text(3, equals: $0) } ?? true
                }
                lookup.resetKeepingBindings()
                if isUnchanged {
                    // Same content, other bytes: the merge stores this row's fingerprint, so that the
                    // next identical feed is recognised unread.
                    unchanged.bind(2, row.sku)
                    unchanged.bind(3, Int64(row.line))
                    unchanged.bind(4, keepsFingerprint ? nil : productSeq)
                    unchanged.bind(5, keepsFingerprint ? nil : row.fingerprint)
                    try staged(unchanged, row)
                    continue
                }
                changed.bind(2, record.sku)
                changed.bind(3, Int64(row.line))
                changed.bind(4, productSeq)
                changed.bind(5, record.productName)
                changed.bind(6, record.description)
                changed.bind(7, record.brand)
                changed.bind(8, record.category)
                changed.bind(9, record.price.units)
                changed.bind(10, record.currency)
                changed.bind(11, record.availability.rawValue)
                changed.bind(12, record.quantity)
                changed.bind(13, JSONText.array(record.imageURLs))
                changed.bind(14, JSONText.object(record.attributes))
                changed.bind(15, contentHash)
                changed.bind(16, row.fingerprint)
                try staged(changed, row)
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
                SELECT count(*) FILTER (WHERE NOT unchanged AND product_seq IS NULL) AS inserted,
                       count(*) FILTER (WHERE NOT unchanged AND product_seq IS NOT NULL) AS updated,
                       count(*) FILTER (WHERE unchanged) AS unchanged
                FROM product_staging WHERE job_id = ?
                """, arguments: [jobID])!
            var counts = MergeCounts(inserted: row["inserted"], updated: row["updated"], unchanged: row["unchanged"])

            if counts.updated > 0 {
                try db.execute(sql: """
                    UPDATE products SET product_name = s.product_name, description = s.description, brand = s.brand,
                        category = s.category, price_units = s.price_units, currency = s.currency,
                        availability = s.availability, quantity = s.quantity, image_urls = s.image_urls,
                        attributes = s.attributes, content_hash = s.content_hash, row_fingerprint = s.row_fingerprint,
                        status = 'active', feed_id = ?, updated_at = ?
                    FROM product_staging s
                    WHERE s.job_id = ? AND NOT s.unchanged AND products.seq = s.product_seq
                    """, arguments: [feed.feedID, now, jobID])
            }
            // Rows unchanged in content but written differently leave their fingerprint (few rows, or
            // every row once after an upgrade): `product_seq` is set only on those.
            try db.execute(sql: """
                UPDATE products SET row_fingerprint = s.row_fingerprint
                FROM product_staging s
                WHERE s.job_id = ? AND s.unchanged AND s.product_seq IS NOT NULL AND products.seq = s.product_seq
                """, arguments: [jobID])
            if counts.inserted > 0 {
                // One block of product IDs for the whole feed, numbered in file order, which is staging's
                // rowid order: the new rows' rowids, listed in a narrow table, number them by its own rowid
                // (a window function over the whole rows took twice as long).
                let last = try Int64.fetchOne(db, sql: """
                    INSERT INTO id_counters (kind, value) VALUES ('PR', ?)
                    ON CONFLICT (kind) DO UPDATE SET value = value + excluded.value
                    RETURNING value
                    """, arguments: [counts.inserted])!
                try db.execute(sql: "DROP TABLE IF EXISTS temp.new_products")
                try db.execute(sql: """
                    CREATE TEMP TABLE new_products AS
                    SELECT s.rowid AS staged FROM product_staging s NOT INDEXED
                    WHERE s.job_id = ? AND NOT s.unchanged AND s.product_seq IS NULL
                    ORDER BY s.rowid
                    """, arguments: [jobID])
                try db.execute(sql: """
                    INSERT INTO products (seq, product_id, partner_id, partner_name, sku, product_name, description, brand,
                        category, price_units, currency, availability, quantity, image_urls, attributes, content_hash,
                        row_fingerprint, status, feed_id, created_at, updated_at)
                    SELECT ?1 + n.rowid, 'PR' || printf('%05d', ?1 + n.rowid), ?2, ?3, s.sku, s.product_name, s.description,
                        s.brand, s.category, s.price_units, s.currency, s.availability, s.quantity, s.image_urls, s.attributes,
                        s.content_hash, s.row_fingerprint, 'active', ?4, ?5, ?5
                    FROM temp.new_products n JOIN product_staging s ON s.rowid = n.staged
                    """, arguments: [last - counts.inserted, partnerID, feed.partnerName, feed.feedID, now])
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
