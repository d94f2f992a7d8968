import CatalogCore
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalogStore: ProductLoader {
    public func resetAttempt(jobID: String) async throws {
        try await transaction { connection in
            for table in ["product_staging", "order_staging", "job_errors"] {
                try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE job_id = $1", binds: Self.binds(jobID)),
                                           logger: self.logger).drain()
            }
        }
    }

    /// The server reclaims its own space (VACUUM); nothing to give back here.
    public func releaseSpaceAfterFailure() async {}

    static let stagingColumns: [(name: String, kind: ColumnArrays.Kind)] = [
        ("job_id", .text), ("sku", .text), ("line", .bigint), ("product_name", .text), ("description", .text),
        ("brand", .text), ("category", .text), ("price_units", .bigint), ("currency", .text), ("availability", .text),
        ("quantity", .bigint), ("image_urls", .text), ("attributes", .text), ("content_hash", .text),
        ("row_fingerprint", .text), ("unchanged", .boolean), ("gtin", .text), ("mpn", .text), ("item_key", .text),
    ]

    /// Each batch goes by one insert straight into the staging table (rows recognised by their fingerprint
    /// by key alone); duplicates are left to `merge`, and so is comparing the rest with the catalog.
    public func stage(jobID: String, partnerID: String, _ batch: [StagedProduct]) async throws -> [Int] {
        guard !batch.isEmpty else { return [] }
        var encoder = ColumnArrays(into: "product_staging", Self.stagingColumns, bytesPerRow: 256, rows: batch.count)
        for row in batch {
            encoder.field(jobID)
            encoder.field(row.sku)
            encoder.field(row.line)
            switch row.content {
            case .unchanged:
                encoder.field(nil as String?)  // product_name
                for _ in 0..<3 { encoder.field(nil as String?) }  // description, brand, category
                encoder.field(nil as Int64?)  // price_units
                for _ in 0..<2 { encoder.field(nil as String?) }  // currency, availability
                encoder.field(nil as Int64?)  // quantity
                for _ in 0..<4 { encoder.field(nil as String?) }  // image_urls … row_fingerprint
                encoder.field(true)
                encoder.field(nil as String?)  // gtin
                encoder.field(nil as String?)  // mpn
                encoder.field(nil as String?)  // item_key
            case .record(let record, let contentHash):
                encoder.field(record.productName)
                encoder.field(record.description)
                encoder.field(record.brand)
                encoder.field(record.category)
                encoder.field(record.price.units)
                encoder.field(record.currency)
                encoder.field(record.availability.rawValue)
                encoder.field(record.quantity)
                encoder.field(JSONText.array(record.imageURLs))
                encoder.field(JSONText.object(record.attributes))
                encoder.field(contentHash)
                encoder.field(row.fingerprint)
                encoder.field(false)
                encoder.field(record.gtin)
                encoder.field(record.mpn)
                encoder.field(CatalogItemKey.of(record, partnerID: partnerID))
            }
            encoder.endRow()
        }
        try await insert(encoder)
        return []
    }

    /// One query per batch: the batch's SKUs and fingerprints as arrays, each looked up by key (the
    /// LIMIT keeps the planner from hashing the partner's whole catalog to join a few thousand keys).
    public func unchangedProducts(partnerID: String, _ fingerprints: [ProductFingerprint]) async throws -> [Int64?] {
        let skus = fingerprints.map(\.sku)
        let digests = fingerprints.map(\.digest)
        let found = try await withConnection { connection in
            try await connection.query("""
                SELECT u.i, found.seq FROM unnest(\(skus)::text[], \(digests)::text[]) WITH ORDINALITY AS u (sku, digest, i),
                LATERAL (SELECT p.seq FROM products p
                         WHERE p.partner_id = \(partnerID) AND p.sku = u.sku COLLATE "C"
                           AND p.row_fingerprint = u.digest COLLATE "C" AND p.status = 'active' LIMIT 1) AS found
                """, logger: self.logger).rows()
        }
        var products = [Int64?](repeating: nil, count: fingerprints.count)
        for row in found { products[Int(try row.value("i") as Int64) - 1] = try row.value("seq") as Int64 }
        return products
    }

    public func activeProductCount(partnerID: String) async throws -> Int64 {
        try await withConnection { connection in
            try await connection.query("""
                SELECT count(*) FROM products WHERE partner_id = \(partnerID) AND status = 'active'
                """, logger: self.logger).one(Int64.self) ?? 0
        }
    }

    public func recordDiagnostics(jobID: String, _ diagnostics: [RowDiagnostic]) async throws {
        guard !diagnostics.isEmpty else { return }
        var encoder = ColumnArrays(into: "job_errors", [
            ("job_id", .text), ("line", .bigint), ("sku", .text), ("column_name", .text), ("code", .text),
            ("message", .text), ("value", .text),
        ], bytesPerRow: 128, rows: diagnostics.count)
        for diagnostic in diagnostics {
            encoder.field(jobID)
            encoder.field(diagnostic.line)
            encoder.field(diagnostic.sku)
            encoder.field(diagnostic.column)
            encoder.field(diagnostic.code)
            encoder.field(diagnostic.message)
            encoder.field(diagnostic.value)
            encoder.endRow()
        }
        try await insert(encoder)
    }

    public func merge(jobID: String, feed: Feed, now: Date, completing completion: AttemptCompletion) async throws -> MergeCounts {
        try await transaction(.unbounded) { connection in
            let logger = self.logger
            let partnerID = feed.partnerID
            try await Self.tuneForBulkMerge(staging: "product_staging", connection, logger)
            // Every product this merge writes names its change batch; the batch gets its position at the end.
            guard let batch = try await connection.query("SELECT nextval('product_change_batch_ids')", logger: logger).one(Int64.self)
            else { throw CatalogError(.internal, "The change batch sequence returned nothing.") }
            // Later rows repeating a SKU are dropped and recorded; the first occurrence counts.
            let duplicates = try await connection.query("""
                WITH dup AS (
                    SELECT sku, min(line) AS first FROM product_staging WHERE job_id = \(jobID)
                    GROUP BY sku HAVING count(*) > 1),
                gone AS (
                    DELETE FROM product_staging s USING dup
                    WHERE s.job_id = \(jobID) AND s.sku = dup.sku AND s.line > dup.first
                    RETURNING s.line, s.sku),
                recorded AS (
                    INSERT INTO job_errors (job_id, line, sku, column_name, code, message, value)
                    SELECT \(jobID), line, sku, 'sku', \(DuplicateRows.skuCode), \(DuplicateRows.skuMessage), sku FROM gone
                    RETURNING 1)
                SELECT count(*) FROM recorded
                """, logger: logger).one(Int64.self) ?? 0
            // Rows recognised by fingerprint are counted as they are; only the others are compared.
            guard let staged = try await connection.query("""
                SELECT count(*) FILTER (WHERE unchanged) AS known, count(*) FILTER (WHERE NOT unchanged) AS other
                FROM product_staging WHERE job_id = \(jobID)
                """, logger: logger).first()
            else { throw CatalogError(.internal, "The staging counts came back empty.") }
            var counts = MergeCounts(unchanged: try staged.value("known"), duplicates: duplicates)
            var refingerprinted: Int64 = 0
            if try staged.value("other", Int64.self) > 0 {
                guard let row = try await connection.query("""
                    SELECT count(*) FILTER (WHERE p.seq IS NULL) AS inserted,
                           count(*) FILTER (WHERE p.seq IS NOT NULL
                                            AND (p.content_hash <> s.content_hash OR p.status <> 'active')) AS updated,
                           count(*) FILTER (WHERE p.content_hash = s.content_hash AND p.status = 'active') AS unchanged,
                           count(*) FILTER (WHERE p.content_hash = s.content_hash AND p.status = 'active'
                                            AND p.row_fingerprint IS DISTINCT FROM s.row_fingerprint) AS refingerprinted
                    FROM product_staging s LEFT JOIN products p ON p.partner_id = \(partnerID) AND p.sku = s.sku
                    WHERE s.job_id = \(jobID) AND NOT s.unchanged
                    """, logger: logger).first()
                else { throw CatalogError(.internal, "The merge counts came back empty.") }
                counts.inserted = try row.value("inserted")
                counts.updated = try row.value("updated")
                counts.unchanged += try row.value("unchanged") as Int64
                refingerprinted = try row.value("refingerprinted")
            }

            // Each new grouping key gets its catalog item number; in key order, so that merges numbering
            // the same new keys at once wait for each other instead of deadlocking.
            if counts.updated + counts.inserted > 0 {
                try await connection.query("""
                    INSERT INTO catalog_items (key)
                    SELECT DISTINCT s.item_key FROM product_staging s
                    WHERE s.job_id = \(jobID) AND NOT s.unchanged
                      AND NOT EXISTS (SELECT 1 FROM catalog_items c WHERE c.key = s.item_key)
                    ORDER BY 1
                    ON CONFLICT (key) DO NOTHING
                    """, logger: logger).drain()
            }
            if counts.updated > 0 {
                try await connection.query("""
                    UPDATE products p SET product_name = s.product_name, description = s.description, brand = s.brand,
                        category = s.category, price_units = s.price_units, currency = s.currency,
                        availability = s.availability, quantity = s.quantity, image_urls = s.image_urls,
                        attributes = s.attributes, content_hash = s.content_hash, row_fingerprint = s.row_fingerprint,
                        gtin = s.gtin, mpn = s.mpn, item_seq = c.seq,
                        status = 'active', feed_id = \(feed.feedID), updated_at = \(now), change_batch = \(batch)
                    FROM product_staging s JOIN catalog_items c ON c.key = s.item_key
                    WHERE s.job_id = \(jobID) AND NOT s.unchanged AND p.partner_id = \(partnerID) AND p.sku = s.sku
                      AND (p.content_hash <> s.content_hash OR p.status <> 'active')
                    """, logger: logger).drain()
            }
            // Rows unchanged in content but written differently leave their fingerprint (few rows, or
            // every row once after an upgrade).
            if refingerprinted > 0 {
                try await connection.query("""
                    UPDATE products p SET row_fingerprint = s.row_fingerprint
                    FROM product_staging s
                    WHERE s.job_id = \(jobID) AND NOT s.unchanged AND p.partner_id = \(partnerID) AND p.sku = s.sku
                      AND p.content_hash = s.content_hash AND p.status = 'active'
                      AND p.row_fingerprint IS DISTINCT FROM s.row_fingerprint
                    """, logger: logger).drain()
            }
            if counts.inserted > 0 {
                // One block of product IDs for the whole feed, numbered in file order.
                let block = try await Self.allocate(.product, count: counts.inserted, connection, logger)
                let first = block.last - counts.inserted
                // Only the narrow (sku, line) pairs are sorted to number the new rows; whole rows join back after.
                try await connection.query("""
                    INSERT INTO products (seq, product_id, partner_id, partner_name, sku, product_name, description, brand,
                        category, price_units, currency, availability, quantity, image_urls, attributes, content_hash,
                        row_fingerprint, status, feed_id, created_at, updated_at, change_batch, gtin, mpn, item_seq)
                    SELECT n.seq, catalog_id('PR', n.seq), \(partnerID), \(feed.partnerName), s.sku, s.product_name,
                        s.description, s.brand, s.category, s.price_units, s.currency, s.availability, s.quantity,
                        s.image_urls, s.attributes, s.content_hash, s.row_fingerprint, 'active', \(feed.feedID), \(now), \(now),
                        \(batch), s.gtin, s.mpn, c.seq
                    FROM (
                        SELECT s.sku, \(first) + row_number() OVER (ORDER BY s.line) AS seq
                        FROM product_staging s
                        WHERE s.job_id = \(jobID) AND NOT s.unchanged
                          AND NOT EXISTS (SELECT 1 FROM products p WHERE p.partner_id = \(partnerID) AND p.sku = s.sku)
                    ) n
                    JOIN product_staging s ON s.job_id = \(jobID) AND s.sku = n.sku
                    JOIN catalog_items c ON c.key = s.item_key
                    """, logger: logger).drain()
            }
            if feed.mode == .full {
                counts.deactivated = try await connection.query("""
                    WITH gone AS (
                        UPDATE products p SET status = 'inactive', feed_id = \(feed.feedID), updated_at = \(now), change_batch = \(batch)
                        WHERE p.partner_id = \(partnerID) AND p.status = 'active'
                          AND NOT EXISTS (SELECT 1 FROM product_staging s WHERE s.job_id = \(jobID) AND s.sku = p.sku)
                        RETURNING 1)
                    SELECT count(*) FROM gone
                    """, logger: logger).one(Int64.self) ?? 0
            }
            try await connection.query("DELETE FROM product_staging WHERE job_id = \(jobID)", logger: logger).drain()
            let position = try await Self.recordChangeBatch(batch, jobID: jobID, feed: feed, counts, now: now, connection, logger)
            try await Self.complete(jobID: jobID, completion, counts, changePosition: position, connection, logger)
            return counts
        }
    }

    public func diagnostics(jobID: String, _ page: PageRequest) async throws -> Page<RowDiagnostic> {
        try await withConnection { connection in
            let rows = try await connection.query("""
                SELECT * FROM job_errors WHERE job_id = \(jobID) AND line > \(page.after ?? 0) ORDER BY line LIMIT \(page.limit + 1)
                """, logger: self.logger).rows()
            return try Self.page(rows, limit: page.limit, key: "line") { row in
                RowDiagnostic(
                    line: try row.value("line"), sku: try row.optional("sku"), column: try row.optional("column_name"),
                    code: try row.value("code"), message: try row.value("message"), value: try row.optional("value"))
            }
        }
    }

    /// Merges sort and hash a whole feed: the default 4 MB of work memory would spill them to disk, and
    /// JIT-compiling these one-off statements costs more than it saves. The staging table's statistics
    /// are stale by nature (rows come and go per job): a plan built on them once chose nested loops
    /// over a million staged rows and ran for hours, so the statistics are refreshed and nested loops
    /// ruled out for the merge.
    static func tuneForBulkMerge(staging table: String, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query("SET LOCAL work_mem = '256MB'", logger: logger).drain()
        try await connection.query("SET LOCAL jit = off", logger: logger).drain()
        try await connection.query("SET LOCAL enable_nestloop = off", logger: logger).drain()
        try await connection.query(PostgresQuery(unsafeSQL: "ANALYZE \(table)"), logger: logger).drain()
    }

    static func binds(_ values: String...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return binds
    }
}
