/// What the ETL keeps beside products to recognise rows it has read before.
enum PostgresETLMigrations {
    static let all: [PostgresMigrations.Migration] = [
        // The digest of the feed row that last wrote the product (`ProductFingerprint`); NULL until a
        // feed writes it again. Rows recognised by it are staged by key alone, `unchanged`.
        PostgresMigrations.Migration(name: "009_row_fingerprints", sql: """
            ALTER TABLE products ADD COLUMN row_fingerprint TEXT COLLATE "C";
            ALTER TABLE product_staging ADD COLUMN row_fingerprint TEXT COLLATE "C",
                ADD COLUMN unchanged BOOLEAN NOT NULL DEFAULT false,
                ALTER COLUMN product_name DROP NOT NULL, ALTER COLUMN price_units DROP NOT NULL,
                ALTER COLUMN currency DROP NOT NULL, ALTER COLUMN availability DROP NOT NULL,
                ALTER COLUMN image_urls DROP NOT NULL, ALTER COLUMN attributes DROP NOT NULL,
                ALTER COLUMN content_hash DROP NOT NULL;
            """),
    ]
}
