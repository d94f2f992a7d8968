import CatalogCore
import GRDB

/// GTIN and MPN on products, then the catalog items they group into (§Unified catalog, issue 21).
enum SQLiteCatalogItemMigrations {
    /// Existing products get neither until a feed carries them; rows fingerprinted with those columns
    /// as attributes are read again (`ProductRowReader`).
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("012_gtin_mpn") { db in
            try db.execute(sql: """
                ALTER TABLE products ADD COLUMN gtin TEXT;
                ALTER TABLE products ADD COLUMN mpn TEXT;
                """)
        }
    }

    /// Each grouping key (`CatalogItemKey`) numbered once; every product names its item. Existing
    /// products are numbered here, in product order.
    static func registerItems(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("015_catalog_items") { db in
            try db.execute(sql: """
                CREATE TABLE catalog_items (seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
                ALTER TABLE products ADD COLUMN item_seq INTEGER;
                """)
            let number = try db.makeStatement(sql: "INSERT OR IGNORE INTO catalog_items (key) VALUES (?)")
            let assign = try db.makeStatement(sql: """
                UPDATE products SET item_seq = (SELECT seq FROM catalog_items WHERE key = ?) WHERE seq = ?
                """)
            var after: Int64 = 0
            while true {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT seq, partner_id, sku, gtin, brand, mpn FROM products WHERE seq > ? ORDER BY seq LIMIT 10000
                    """, arguments: [after])
                guard let last = rows.last else { break }
                for row in rows {
                    let key = CatalogItemKey.of(
                        gtin: row["gtin"], brand: row["brand"], mpn: row["mpn"], partnerID: row["partner_id"], sku: row["sku"])
                    try number.execute(arguments: [key])
                    try assign.execute(arguments: [key, row["seq"]])
                }
                after = last["seq"]
            }
            try db.execute(sql: "CREATE INDEX products_by_item ON products (item_seq)")
        }
    }
}
