import GRDB

/// The read path's indexes (issue 6), appended after the shipped migrations.
enum SQLiteReadPathMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("004_read_path") { db in
            try db.execute(sql: """
                CREATE INDEX products_by_price ON products (status, price_units, seq);
                CREATE INDEX products_by_name ON products (status, product_name, seq);
                CREATE INDEX products_by_brand ON products (status, coalesce(brand, ''), seq);
                CREATE INDEX products_by_category ON products (status, coalesce(category, ''), seq);
                CREATE INDEX products_by_created ON products (status, created_at, seq);
                CREATE INDEX products_by_updated ON products (status, updated_at, seq);
                CREATE INDEX products_by_partner ON products (partner_name, status, seq);
                CREATE INDEX orders_by_time ON orders (ordered_at, seq);
                CREATE INDEX orders_by_partner_time ON orders (partner_name, ordered_at, seq);
                -- Covers the analytics scans: a time range of lines read from the index alone.
                CREATE INDEX order_lines_for_analytics ON order_lines (ordered_at, order_seq, currency, quantity, unit_price_units, sku);
                DROP INDEX order_lines_by_time;
                """)
        }
    }
}
