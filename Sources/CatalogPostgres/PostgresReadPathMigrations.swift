/// The read path's indexes (issue 6), appended after the shipped migrations.
enum PostgresReadPathMigrations {
    static let all: [PostgresMigrations.Migration] = [
        PostgresMigrations.Migration(name: "005_read_path", sql: """
            CREATE INDEX products_by_price ON products (status, price_units, seq);
            CREATE INDEX products_by_name ON products (status, product_name COLLATE "C", seq);
            CREATE INDEX products_by_brand ON products (status, (coalesce(brand, '')) COLLATE "C", seq);
            CREATE INDEX products_by_category ON products (status, (coalesce(category, '')) COLLATE "C", seq);
            CREATE INDEX products_by_created ON products (status, created_at, seq);
            CREATE INDEX products_by_updated ON products (status, updated_at, seq);
            CREATE INDEX products_by_partner ON products (partner_name, status, seq);
            CREATE INDEX orders_by_time ON orders (ordered_at, seq);
            CREATE INDEX orders_by_partner_time ON orders (partner_name, ordered_at, seq);
            -- Covers the analytics scans: a time range of lines read from the index alone.
            CREATE INDEX order_lines_for_analytics ON order_lines (ordered_at)
                INCLUDE (order_seq, currency, quantity, unit_price_units, sku);
            DROP INDEX order_lines_by_time;
            """),
        // The node-local product caches re-read the products of each completed feed; the completed jobs
        // of the last minutes are found by finish time.
        PostgresMigrations.Migration(name: "006_product_cache", sql: """
            CREATE INDEX products_by_feed ON products (feed_id, seq);
            CREATE INDEX jobs_by_finish ON jobs (finished_at) WHERE status = 'completed';
            """),
    ]
}
