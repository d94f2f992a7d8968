import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: ProductLoader {
    /// Staged rows live in TEMP tables of the writer connection: never journaled, never seen by readers,
    /// and gone with the process, like the attempt that staged them. `product_staging` holds the rows
    /// that insert or update a product (`product_seq` is the product a changed row updates; NULL: a new
    /// product) and the few unchanged rows whose fingerprint the product should take. Rows of a job are
    /// staged in file order, so rowid order is file order.
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
                gtin TEXT,
                mpn TEXT,
                item_key TEXT,
                UNIQUE (job_id, sku)
            )
            """)
    }

    /// Every product a job's rows name, by key: an unchanged row costs one integer here instead of a
    /// staged row, and a product named twice is a duplicate. One table per job, dropped at its merge.
    static func seenProducts(_ jobID: String) throws -> String {
        guard !jobID.isEmpty, jobID.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }) else {
            throw CatalogError(.internal, "Unexpected job ID \(jobID).")
        }
        return "temp.\"product_seen_\(jobID)\""
    }

    static func ensureSeenProducts(_ db: Database, _ table: String) throws {
        try db.execute(sql: "CREATE TABLE IF NOT EXISTS \(table) (seq INTEGER PRIMARY KEY)")
    }

    public func resetAttempt(jobID: String) async throws {
        try await write { db in
            try Self.ensureStaging(db)
            try db.execute(sql: "DROP TABLE IF EXISTS \(try Self.seenProducts(jobID))")
            try Self.ensureOrderStaging(db)
            try db.execute(sql: "DELETE FROM product_staging WHERE job_id = ?", arguments: [jobID])
            try db.execute(sql: "DELETE FROM order_staging WHERE job_id = ?", arguments: [jobID])
            try db.execute(sql: "DELETE FROM job_errors WHERE job_id = ?", arguments: [jobID])
        }
    }

    /// A checkpoint that truncates the write-ahead log (readers holding an old snapshot keep it from
    /// shrinking; then the next checkpoint does). Best effort: a failed job is failing already.
    public func releaseSpaceAfterFailure() async {
        _ = try? await pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }

    /// One indexed lookup per row, on the writer: its cache holds the partner's products already (a
    /// reader beside it cost a second cache's worth of memory and the two contended in SQLite).
    public func unchangedProducts(partnerID: String, _ fingerprints: [ProductFingerprint]) async throws -> [Int64?] {
        try await write { db in
            let lookup = SQLiteRawStatement(try db.cachedStatement(sql: """
                SELECT seq FROM products WHERE partner_id = ? AND sku = ? AND row_fingerprint = ? AND status = 'active'
                """))
            lookup.reset()
            lookup.bind(1, partnerID)
            var products: [Int64?] = []
            products.reserveCapacity(fingerprints.count)
            for fingerprint in fingerprints {
                lookup.bind(2, fingerprint.sku)
                lookup.bind(3, fingerprint.digest)
                products.append(try lookup.step(db) ? lookup.int64(0) : nil)
                lookup.resetKeepingBindings()
            }
            return products
        }
    }

    /// Every row naming an existing product marks it seen; a product seen before makes the row a
    /// duplicate. Rows read in full are looked up too: one whose product is active with the same
    /// content (a row written differently, or whose product predates fingerprints) is unchanged, and
    /// staged only when the product should take its fingerprint, so an identical re-run stages nothing.
    /// Only one job of a partner runs at a time, so what the lookup saw still holds when the job merges.
    public func stage(jobID: String, partnerID: String, _ batch: [StagedProduct]) async throws -> [Int] {
        let seenTable = try Self.seenProducts(jobID)
        return try await write { db in
            try Self.ensureStaging(db)
            try Self.ensureSeenProducts(db, seenTable)
            let lookup = SQLiteRawStatement(try db.cachedStatement(sql: """
                SELECT seq, content_hash, status = 'active', row_fingerprint FROM products WHERE partner_id = ? AND sku = ?
                """))
            // Prepared per batch, not cached: the table is the job's own.
            let seenStatement = try db.makeStatement(sql: "INSERT OR IGNORE INTO \(seenTable) (seq) VALUES (?)")
            let seen = SQLiteRawStatement(seenStatement)
            let refingerprint = SQLiteRawStatement(try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO product_staging (job_id, sku, line, unchanged, product_seq, row_fingerprint)
                VALUES (?, ?, ?, 1, ?, ?)
                """))
            let changed = SQLiteRawStatement(try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO product_staging (job_id, sku, line, unchanged, product_seq, product_name, description,
                    brand, category, price_units, currency, availability, quantity, image_urls, attributes, content_hash,
                    row_fingerprint, gtin, mpn, item_key)
                VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """))
            lookup.reset()
            refingerprint.reset()
            changed.reset()
            lookup.bind(1, partnerID)
            refingerprint.bind(1, jobID)
            changed.bind(1, jobID)
            var duplicates: [Int] = []
            /// Steps an insert; false when it inserted nothing (the key was there already).
            func inserted(_ statement: SQLiteRawStatement) throws -> Bool {
                _ = try statement.step(db)
                statement.resetKeepingBindings()
                return db.changesCount > 0
            }
            func firstSighting(of product: Int64) throws -> Bool {
                seen.bind(1, product)
                return try inserted(seen)
            }
            for row in batch {
                let record: ProductRecord, contentHash: String
                switch row.content {
                case .unchanged(let product):
                    if try !firstSighting(of: product) { duplicates.append(row.line) }
                    continue
                case .record(let staged, let hash):
                    (record, contentHash) = (staged, hash)
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
                if let productSeq, try !firstSighting(of: productSeq) {
                    duplicates.append(row.line)
                    continue
                }
                if isUnchanged {
                    // Same content, other bytes: the merge stores this row's fingerprint, so that the
                    // next identical feed is recognised unread.
                    guard !keepsFingerprint else { continue }
                    refingerprint.bind(2, row.sku)
                    refingerprint.bind(3, Int64(row.line))
                    refingerprint.bind(4, productSeq)
                    refingerprint.bind(5, row.fingerprint)
                    _ = try inserted(refingerprint)
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
                changed.bind(17, record.gtin)
                changed.bind(18, record.mpn)
                changed.bind(19, CatalogItemKey.of(record, partnerID: partnerID))
                // A new SKU staged before is a duplicate (an existing product's was caught as seen).
                if try !inserted(changed) { duplicates.append(row.line) }
            }
            withExtendedLifetime(seenStatement) {}
            return duplicates
        }
    }

    public func activeProductCount(partnerID: String) async throws -> Int64 {
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT count(*) FROM products WHERE partner_id = ? AND status = 'active'", arguments: [partnerID]) ?? 0
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

    public func merge(jobID: String, feed: Feed, now: Date, completing completion: AttemptCompletion) async throws -> MergeCounts {
        let seenTable = try Self.seenProducts(jobID)
        return try await write { db in
            try Self.ensureStaging(db)
            try Self.ensureSeenProducts(db, seenTable)
            let partnerID = feed.partnerID
            // Every product this merge writes names its change batch; the batch gets its position at the end.
            let batch = try Int64.fetchOne(db, sql: "SELECT coalesce(max(batch_id), 0) + 1 FROM product_change_batches")!
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) FILTER (WHERE NOT unchanged AND product_seq IS NULL) AS inserted,
                       count(*) FILTER (WHERE NOT unchanged AND product_seq IS NOT NULL) AS updated
                FROM product_staging WHERE job_id = ?
                """, arguments: [jobID])!
            // Every existing product the feed names was seen once: updated if staged as changed, else unchanged.
            let seen = try Int64.fetchOne(db, sql: "SELECT count(*) FROM \(seenTable)")!
            var counts = MergeCounts(inserted: row["inserted"], updated: row["updated"])
            counts.unchanged = seen - counts.updated

            // Each new grouping key gets its catalog item number, in key order.
            if counts.updated + counts.inserted > 0 {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO catalog_items (key)
                    SELECT item_key FROM product_staging WHERE job_id = ? AND NOT unchanged ORDER BY item_key
                    """, arguments: [jobID])
            }
            if counts.updated > 0 {
                try db.execute(sql: """
                    UPDATE products SET product_name = s.product_name, description = s.description, brand = s.brand,
                        category = s.category, price_units = s.price_units, currency = s.currency,
                        availability = s.availability, quantity = s.quantity, image_urls = s.image_urls,
                        attributes = s.attributes, content_hash = s.content_hash, row_fingerprint = s.row_fingerprint,
                        gtin = s.gtin, mpn = s.mpn, item_seq = (SELECT seq FROM catalog_items WHERE key = s.item_key),
                        status = 'active', feed_id = ?, updated_at = ?, change_batch = ?
                    FROM product_staging s
                    WHERE s.job_id = ? AND NOT s.unchanged AND products.seq = s.product_seq
                    """, arguments: [feed.feedID, now, batch, jobID])
            }
            // Rows unchanged in content but written differently leave their fingerprint (few rows, or
            // every row once after an upgrade): `product_seq` is set only on those.
            try db.execute(sql: """
                UPDATE products SET row_fingerprint = s.row_fingerprint
                FROM product_staging s
                WHERE s.job_id = ? AND s.unchanged AND s.product_seq IS NOT NULL AND products.seq = s.product_seq
                """, arguments: [jobID])
            // Before the new products exist: every product that was there and that the feed named is seen.
            if feed.mode == .full {
                try db.execute(sql: """
                    UPDATE products SET status = 'inactive', feed_id = ?, updated_at = ?, change_batch = ?
                    WHERE partner_id = ? AND status = 'active' AND seq NOT IN (SELECT seq FROM \(seenTable))
                    """, arguments: [feed.feedID, now, batch, partnerID])
                counts.deactivated = Int64(db.changesCount)
            }
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
                        row_fingerprint, status, feed_id, created_at, updated_at, change_batch, gtin, mpn, item_seq)
                    SELECT ?1 + n.rowid, 'PR' || printf('%05d', ?1 + n.rowid), ?2, ?3, s.sku, s.product_name, s.description,
                        s.brand, s.category, s.price_units, s.currency, s.availability, s.quantity, s.image_urls, s.attributes,
                        s.content_hash, s.row_fingerprint, 'active', ?4, ?5, ?5, ?6, s.gtin, s.mpn,
                        (SELECT seq FROM catalog_items WHERE key = s.item_key)
                    FROM temp.new_products n JOIN product_staging s ON s.rowid = n.staged
                    """, arguments: [last - counts.inserted, partnerID, feed.partnerName, feed.feedID, now, batch])
                try db.execute(sql: "DROP TABLE temp.new_products")
            }
            try db.execute(sql: "DELETE FROM product_staging WHERE job_id = ?", arguments: [jobID])
            try db.execute(sql: "DROP TABLE \(seenTable)")
            let position = try Self.recordChangeBatch(batch, jobID: jobID, feed: feed, counts, now: now, db)
            try Self.complete(jobID: jobID, completion, counts, changePosition: position, db)
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
