/// GTIN and MPN on products (§Unified catalog, issue 21). Existing products get neither until a feed
/// carries them; rows fingerprinted with those columns as attributes are read again (`ProductRowReader`).
enum PostgresCatalogItemMigrations {
    static let all: [PostgresMigrations.Migration] = [
        PostgresMigrations.Migration(name: "015_gtin_mpn", sql: """
            ALTER TABLE products ADD COLUMN gtin TEXT, ADD COLUMN mpn TEXT;
            ALTER TABLE product_staging ADD COLUMN gtin TEXT, ADD COLUMN mpn TEXT;
            """),
    ]
}
