/// The product change feed (issue 15): every merge that changes products records one batch at the
/// next position, and each product names the batch of its latest change. The read path's sort and
/// filter indexes move to each node's read model, which follows the feed: the system of record keeps
/// the key (partner + SKU), the row identity, the feed's own index and what analytics read.
enum PostgresChangeFeedMigrations {
    static let all: [PostgresMigrations.Migration] = [
        PostgresMigrations.Migration(name: "013_change_feed", sql: """
            CREATE TABLE product_change_batches (
                batch_id BIGINT PRIMARY KEY,
                position BIGINT NOT NULL UNIQUE,
                job_id TEXT NOT NULL,
                feed_id TEXT NOT NULL,
                partner_name TEXT COLLATE "C" NOT NULL,
                changes BIGINT NOT NULL,
                committed_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX change_batches_by_partner ON product_change_batches (partner_name, position);
            -- The products stored before the feed existed: one batch per partner.
            INSERT INTO product_change_batches (batch_id, position, job_id, feed_id, partner_name, changes, committed_at)
            SELECT row_number() OVER (ORDER BY partner_name), row_number() OVER (ORDER BY partner_name), '', '',
                partner_name, count(*), now()
            FROM products GROUP BY partner_name;
            CREATE SEQUENCE product_change_batch_ids;
            SELECT setval('product_change_batch_ids', (SELECT coalesce(max(batch_id), 0) + 1 FROM product_change_batches), false);
            -- Positions are taken under an advisory lock held until commit: their order is commit order.
            CREATE SEQUENCE product_change_positions;
            SELECT setval('product_change_positions', (SELECT coalesce(max(position), 0) + 1 FROM product_change_batches), false);
            ALTER TABLE products ADD COLUMN change_batch BIGINT NOT NULL DEFAULT 0;
            UPDATE products p SET change_batch = b.batch_id FROM product_change_batches b WHERE b.partner_name = p.partner_name;
            CREATE INDEX products_by_change ON products (change_batch, seq);
            ALTER TABLE jobs ADD COLUMN change_position BIGINT;
            DROP INDEX products_by_status;
            DROP INDEX products_by_price;
            DROP INDEX products_by_name;
            DROP INDEX products_by_brand;
            DROP INDEX products_by_category;
            DROP INDEX products_by_updated;
            DROP INDEX products_by_partner;
            DROP INDEX products_by_feed;
            ALTER TABLE products DROP CONSTRAINT products_product_id_key;
            """),
    ]
}
