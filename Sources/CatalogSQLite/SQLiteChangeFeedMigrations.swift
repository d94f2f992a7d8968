import GRDB

/// The product change feed (issue 15): every merge that changes products records one batch at the
/// next position, and each product names the batch of its latest change.
enum SQLiteChangeFeedMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("010_change_feed") { db in
            try db.execute(sql: """
                CREATE TABLE product_change_batches (
                    batch_id INTEGER PRIMARY KEY,
                    position INTEGER NOT NULL UNIQUE,
                    job_id TEXT NOT NULL,
                    feed_id TEXT NOT NULL,
                    partner_name TEXT NOT NULL,
                    changes INTEGER NOT NULL,
                    committed_at DATETIME NOT NULL
                );
                CREATE INDEX change_batches_by_partner ON product_change_batches (partner_name, position);
                -- The products stored before the feed existed: one batch per partner.
                INSERT INTO product_change_batches (batch_id, position, job_id, feed_id, partner_name, changes, committed_at)
                SELECT row_number() OVER (ORDER BY partner_name), row_number() OVER (ORDER BY partner_name), '', '',
                    partner_name, count(*), CURRENT_TIMESTAMP
                FROM products GROUP BY partner_name;
                ALTER TABLE products ADD COLUMN change_batch INTEGER NOT NULL DEFAULT 0;
                UPDATE products SET change_batch = (
                    SELECT b.batch_id FROM product_change_batches b WHERE b.partner_name = products.partner_name);
                CREATE INDEX products_by_change ON products (change_batch, seq);
                ALTER TABLE jobs ADD COLUMN change_position INTEGER;
                """)
        }
    }
}
