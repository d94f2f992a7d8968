/// The sales rollup (issue 6), appended after the read path's migrations. `sales_rollup_rebuild()`
/// recomputes it from the order lines: the migration fills it with it, and data loaded around the
/// application (bench/read-path-data.sql) is rolled up by calling it.
enum PostgresAnalyticsMigrations {
    static let all: [PostgresMigrations.Migration] = [
        PostgresMigrations.Migration(name: "007_sales_rollup", sql: """
            -- Per UTC day (days since 1970-01-01), partner and currency: order lines, distinct orders with a
            -- line that day, Σ quantity and Σ quantity × unit_price_units (integer ten-thousandths).
            CREATE TABLE sales_daily (
                day INTEGER NOT NULL,
                partner_name TEXT COLLATE "C" NOT NULL,
                currency TEXT COLLATE "C" NOT NULL,
                lines BIGINT NOT NULL,
                orders BIGINT NOT NULL,
                units BIGINT NOT NULL,
                sales BIGINT NOT NULL,
                PRIMARY KEY (day, partner_name, currency)
            );
            -- Per partner, SKU and currency over all time, ranked per currency for top-products.
            CREATE TABLE sales_by_sku (
                partner_id TEXT COLLATE "C" NOT NULL,
                sku TEXT COLLATE "C" NOT NULL,
                currency TEXT COLLATE "C" NOT NULL,
                partner_name TEXT COLLATE "C" NOT NULL,
                lines BIGINT NOT NULL,
                units BIGINT NOT NULL,
                sales BIGINT NOT NULL,
                PRIMARY KEY (partner_id, sku, currency)
            );
            CREATE INDEX sales_by_sku_ranked ON sales_by_sku (currency, sales DESC, units DESC, partner_name, sku);
            CREATE INDEX sales_by_sku_ranked_per_partner ON sales_by_sku (partner_name, currency, sales DESC, units DESC, sku);
            -- Orders whose lines in one currency fall on more than one UTC day: counted once per day above.
            CREATE TABLE sales_split_orders (
                order_seq BIGINT NOT NULL,
                currency TEXT NOT NULL,
                PRIMARY KEY (order_seq, currency)
            );
            -- A SKU's lines in a range, for the top-products candidates.
            CREATE INDEX order_lines_by_sku ON order_lines (sku, currency, ordered_at) INCLUDE (order_seq, quantity, unit_price_units);
            -- (The migrator splits statements at a `;` that ends a line: inside the body each one is followed by a comment.)
            CREATE FUNCTION sales_rollup_rebuild() RETURNS void LANGUAGE sql AS $$
                TRUNCATE sales_daily, sales_by_sku, sales_split_orders; -- then each table from the order lines
                INSERT INTO sales_daily (day, partner_name, currency, lines, orders, units, sales)
                SELECT (l.ordered_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01', o.partner_name, l.currency,
                    count(*), count(DISTINCT l.order_seq), sum(l.quantity), sum(l.quantity * l.unit_price_units)
                FROM order_lines l JOIN orders o ON o.seq = l.order_seq
                GROUP BY 1, 2, 3; -- per day
                INSERT INTO sales_by_sku (partner_id, sku, currency, partner_name, lines, units, sales)
                SELECT o.partner_id, l.sku, l.currency, o.partner_name, count(*), sum(l.quantity), sum(l.quantity * l.unit_price_units)
                FROM order_lines l JOIN orders o ON o.seq = l.order_seq
                GROUP BY 1, 2, 3, 4; -- per SKU
                INSERT INTO sales_split_orders (order_seq, currency)
                SELECT l.order_seq, l.currency FROM order_lines l
                GROUP BY 1, 2 HAVING min(l.ordered_at AT TIME ZONE 'UTC')::date <> max(l.ordered_at AT TIME ZONE 'UTC')::date; -- split orders
            $$;
            SELECT sales_rollup_rebuild();
            """),
    ]
}
