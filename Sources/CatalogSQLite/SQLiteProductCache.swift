import CatalogCore
import Foundation
import GRDB

/// A node's local copy of the products, of every status (PostgreSQL mode), in an SQLite file of its own
/// that starts empty with each process and follows the change feed. Its `products` table has the
/// embedded store's product columns and sort indexes, so the embedded store's queries serve it unchanged.
public final class SQLiteProductCache: ProductCacheStore, Sendable {
    let pool: DatabasePool
    public let path: String
    let catalogItems: SQLiteCatalogItems

    /// Creates the cache at `path`, replacing any file a previous process left there.
    public init(path: String) throws {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try FileManager.default.removeItem(atPath: path + suffix)
            }
            var configuration = Configuration()
            configuration.prepareDatabase { db in
                // A cache: losing the last writes in a crash costs nothing, the next start rebuilds it.
                try db.execute(sql: "PRAGMA synchronous = OFF")
                try db.setPageCacheSize()
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.write { db in try db.execute(sql: Self.schema) }
            catalogItems = try SQLiteCatalogItems(pool: pool)
        } catch {
            throw CatalogError.storageUnavailable("Cannot create the product cache at \(path): \(error)")
        }
    }

    static let schema = """
        CREATE TABLE products (
            seq INTEGER PRIMARY KEY,
            product_id TEXT NOT NULL,
            partner_name TEXT NOT NULL,
            sku TEXT NOT NULL,
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
            status TEXT NOT NULL,
            feed_id TEXT NOT NULL,
            created_at DATETIME NOT NULL,
            updated_at DATETIME NOT NULL,
            gtin TEXT,
            mpn TEXT,
            item_seq INTEGER
        );
        """

    /// The sort indexes, built after the first copy (far faster than maintaining them row by row).
    static let indexes = """
        CREATE INDEX products_by_status ON products (status, seq);
        CREATE INDEX products_by_price ON products (status, price_units, seq);
        CREATE INDEX products_by_name ON products (status, product_name, seq);
        CREATE INDEX products_by_brand ON products (status, coalesce(brand, ''), seq);
        CREATE INDEX products_by_category ON products (status, coalesce(category, ''), seq);
        CREATE INDEX products_by_created ON products (status, created_at, seq);
        CREATE INDEX products_by_updated ON products (status, updated_at, seq);
        CREATE INDEX products_by_partner ON products (partner_name, status, seq);
        CREATE INDEX products_by_item ON products (item_seq);
        """

    public func apply(_ products: [Product]) async throws {
        try await pool.write { db in try Self.upsert(products, into: "products", db) }
    }

    /// Staged in a TEMP table of the writer connection (the pool has one writer), unseen by readers.
    public func stagePending(_ products: [Product]) async throws {
        try await pool.write { db in
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS pending AS SELECT * FROM main.products WHERE 0")
            try Self.upsert(products, into: "temp.pending", db)
        }
    }

    public func publishPending() async throws {
        try await pool.write { db in
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS pending AS SELECT * FROM main.products WHERE 0")
            try db.execute(sql: "INSERT OR REPLACE INTO main.products SELECT * FROM temp.pending")
            try db.execute(sql: "DELETE FROM temp.pending")
        }
    }

    private static func upsert(_ products: [Product], into table: String, _ db: Database) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO \(table) (\(SQLiteCatalogStore.productColumns))
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for product in products {
            try upsert.execute(arguments: [
                product.seq, product.productID, product.partnerName, product.sku, product.productName, product.description,
                product.brand, product.category, product.price.units, product.currency, product.availability, product.quantity,
                product.imageURLsJSON, product.attributesJSON, product.status.rawValue, product.feedID,
                // Written by hand, truncated to the millisecond as the JSON shows it (Foundation's formatter
                // can round a binary fraction down by one millisecond).
                UTCMicroseconds.sqliteText(UTCMicroseconds.of(product.createdAt)),
                UTCMicroseconds.sqliteText(UTCMicroseconds.of(product.updatedAt)),
                product.gtin, product.mpn, product.itemSeq,
            ])
        }
    }

    public func copyFinished() async throws {
        try await pool.write { db in try db.execute(sql: Self.indexes) }
    }

    public func count() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM products") ?? 0 }
    }

    public func product(id: String) async throws -> Product? {
        guard let seq = IDKind.product.number(of: id) else { return nil }
        return try await pool.read { db in try SQLiteCatalogStore.product(seq: seq, db) }
    }

    public func listProducts(_ query: ProductQuery) async throws -> ProductPage {
        try await pool.read { db in try SQLiteCatalogStore.listProducts(query, db) }
    }

    /// Deletes the cache's files (at shutdown).
    public func remove() {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
