import GRDB

/// GTIN and MPN on products (§Unified catalog, issue 21). Existing products get neither until a feed
/// carries them; rows fingerprinted with those columns as attributes are read again (`ProductRowReader`).
enum SQLiteCatalogItemMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("012_gtin_mpn") { db in
            try db.execute(sql: """
                ALTER TABLE products ADD COLUMN gtin TEXT;
                ALTER TABLE products ADD COLUMN mpn TEXT;
                """)
        }
    }
}
