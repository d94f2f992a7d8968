/// Migrations for the ETL's speed, appended after the read path's.
enum PostgresETLMigrations {
    static let all: [PostgresMigrations.Migration] = [
        // A row whose product is already active with the same content is staged by its key alone
        // (`unchanged`), so an identical re-run sends keys, not whole rows.
        PostgresMigrations.Migration(name: "008_unchanged_staging", sql: """
            ALTER TABLE product_staging ADD COLUMN unchanged BOOLEAN NOT NULL DEFAULT false,
                ALTER COLUMN product_name DROP NOT NULL, ALTER COLUMN price_units DROP NOT NULL,
                ALTER COLUMN currency DROP NOT NULL, ALTER COLUMN availability DROP NOT NULL,
                ALTER COLUMN image_urls DROP NOT NULL, ALTER COLUMN attributes DROP NOT NULL,
                ALTER COLUMN content_hash DROP NOT NULL;
            """),
    ]
}
