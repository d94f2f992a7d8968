-- Read-path benchmark data (bench/read-path.sh): :products products of 5 partners (one in 20 inactive,
-- one in 10 in EUR) and :orders orders of 4 lines each over two years in USD, EUR and GBP.
INSERT INTO partners (seq, partner_id, partner_name, display_name, status, created_at)
SELECT v, catalog_id('PT', v), 'partner-' || v, 'Partner ' || v, 'active', '2025-01-01' FROM generate_series(1, 5) v;
INSERT INTO id_counters VALUES ('PT', 5), ('PR', :products), ('OR', :orders), ('FD', 1), ('JS', 1), ('JV', 1);
INSERT INTO feeds (seq, feed_id, partner_id, partner_name, feed_type, mode, file_name, content_type, size_bytes, sha256, status,
    uploaded_at, submission_job_id, validation_job_id, raw_file_bucket, raw_file_key)
VALUES (1, 'FD00001', 'PT00001', 'partner-1', 'products', 'delta', 'bench.csv', 'text/csv', 1, 'x', 'processed', '2025-01-01',
    'JS00001', 'JV00001', 'bench', 'raw/bench');
INSERT INTO products (seq, product_id, partner_id, partner_name, sku, product_name, description, brand, category, price_units,
    currency, availability, quantity, image_urls, attributes, content_hash, status, feed_id, created_at, updated_at)
SELECT v, catalog_id('PR', v), catalog_id('PT', v % 5 + 1), 'partner-' || (v % 5 + 1), 'SKU-' || v,
    'Product ' || ((v::bigint * 7919) % 1000003) || ' with a realistic name', 'Durable, lightweight item number ' || v,
    CASE WHEN v % 11 = 0 THEN NULL ELSE 'Brand ' || (v % 97) END, 'Category ' || (v % 23),
    ((v::bigint * 7919) % 100000) * 100, CASE v % 10 WHEN 0 THEN 'EUR' ELSE 'USD' END,
    CASE v % 7 WHEN 0 THEN 'out_of_stock' ELSE 'in_stock' END, v % 50,
    '["https://img.example.com/' || v || '.jpg"]', '{}', 'bench', CASE WHEN v % 20 = 0 THEN 'inactive' ELSE 'active' END,
    'FD00001', timestamptz '2025-01-01' + (v / 1000) * interval '1 minute',
    timestamptz '2025-01-01' + ((v::bigint * 37) % 100000) * interval '1 minute'
FROM generate_series(1, :products) v;
INSERT INTO orders (seq, order_id, partner_id, partner_name, partner_order_id, currency, ordered_at, feed_id, created_at)
SELECT v, catalog_id('OR', v), catalog_id('PT', v % 5 + 1), 'partner-' || (v % 5 + 1), 'P-' || v,
    CASE v % 3 WHEN 0 THEN 'EUR' WHEN 1 THEN 'USD' ELSE 'GBP' END,
    timestamptz '2025-01-01' + (v::bigint * 63072000 / :orders) * interval '1 second', NULL, '2025-01-01'
FROM generate_series(1, :orders) v;
INSERT INTO order_lines (order_seq, sku, quantity, unit_price_units, currency, ordered_at, content_hash, feed_id, created_at, updated_at)
SELECT o.seq, 'SKU-' || (((o.seq * 4 + l) * 13 % 200000) * 5 + o.seq % 5 + 1), 1 + (o.seq + l) % 4,
    ((o.seq * 31 + l) % 50000) * 100, o.currency, o.ordered_at, 'bench', NULL, o.created_at, o.created_at
FROM orders o CROSS JOIN generate_series(1, 4) l;
-- The sales rollup that the orders merge keeps (migration 007_sales_rollup), from the lines just inserted.
\o /dev/null
SELECT sales_rollup_rebuild();
\o
VACUUM ANALYZE;
