/// What top-products over a range needs of each SKU beside its totals (`TopSkuSearch`).
enum PostgresTopProductsMigrations {
    static let all: [PostgresMigrations.Migration] = [
        PostgresMigrations.Migration(name: "010_sku_spans", sql: """
            -- The instants of each SKU's first and last lines and its smallest line's sales (quantity × unit price).
            ALTER TABLE sales_by_sku ADD COLUMN first_ordered_at TIMESTAMPTZ, ADD COLUMN last_ordered_at TIMESTAMPTZ,
                ADD COLUMN smallest_line BIGINT;
            UPDATE sales_by_sku r SET first_ordered_at = s.first_ordered_at, last_ordered_at = s.last_ordered_at,
                smallest_line = s.smallest_line
            FROM (SELECT o.partner_id, l.sku, l.currency, min(l.ordered_at) AS first_ordered_at, max(l.ordered_at) AS last_ordered_at,
                      min(l.quantity * l.unit_price_units)::bigint AS smallest_line
                  FROM order_lines l JOIN orders o ON o.seq = l.order_seq GROUP BY 1, 2, 3) s
            WHERE r.partner_id = s.partner_id AND r.sku = s.sku AND r.currency = s.currency;
            -- A row without lines has no place in the rollup (merges delete them); none should be left.
            DELETE FROM sales_by_sku WHERE first_ordered_at IS NULL;
            ALTER TABLE sales_by_sku ALTER COLUMN first_ordered_at SET NOT NULL, ALTER COLUMN last_ordered_at SET NOT NULL,
                ALTER COLUMN smallest_line SET NOT NULL;
            -- The rank indexes carry the span, so that the best SKUs wholly inside a range are an index-only scan.
            DROP INDEX sales_by_sku_ranked;
            CREATE INDEX sales_by_sku_ranked ON sales_by_sku (currency, sales DESC, units DESC, partner_name, sku)
                INCLUDE (first_ordered_at, last_ordered_at, lines, partner_id);
            DROP INDEX sales_by_sku_ranked_per_partner;
            CREATE INDEX sales_by_sku_ranked_per_partner ON sales_by_sku (partner_name, currency, sales DESC, units DESC, sku)
                INCLUDE (first_ordered_at, last_ordered_at, lines, partner_id);
            -- The straddling SKUs of a range in the order of their bound (sales less the smallest line).
            CREATE INDEX sales_by_sku_bound ON sales_by_sku (currency, (sales - smallest_line) DESC, partner_id, sku);
            CREATE INDEX sales_by_sku_bound_per_partner ON sales_by_sku (partner_name, currency, (sales - smallest_line) DESC, partner_id, sku);
            CREATE OR REPLACE FUNCTION sales_rollup_rebuild() RETURNS void LANGUAGE sql AS $$
                TRUNCATE sales_daily, sales_by_sku, sales_split_orders; -- then each table from the order lines
                INSERT INTO sales_daily (day, partner_name, currency, lines, orders, units, sales)
                SELECT (l.ordered_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01', o.partner_name, l.currency,
                    count(*), count(DISTINCT l.order_seq), sum(l.quantity), sum(l.quantity * l.unit_price_units)
                FROM order_lines l JOIN orders o ON o.seq = l.order_seq
                GROUP BY 1, 2, 3; -- per day
                INSERT INTO sales_by_sku (partner_id, sku, currency, partner_name, lines, units, sales,
                    first_ordered_at, last_ordered_at, smallest_line)
                SELECT o.partner_id, l.sku, l.currency, o.partner_name, count(*), sum(l.quantity), sum(l.quantity * l.unit_price_units),
                    min(l.ordered_at), max(l.ordered_at), min(l.quantity * l.unit_price_units)
                FROM order_lines l JOIN orders o ON o.seq = l.order_seq
                GROUP BY 1, 2, 3, 4; -- per SKU
                INSERT INTO sales_split_orders (order_seq, currency)
                SELECT l.order_seq, l.currency FROM order_lines l
                GROUP BY 1, 2 HAVING min(l.ordered_at AT TIME ZONE 'UTC')::date <> max(l.ordered_at AT TIME ZONE 'UTC')::date; -- split orders
            $$;
            """),
    ]
}
