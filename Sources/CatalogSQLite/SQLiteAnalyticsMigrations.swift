import GRDB

/// The sales rollup (issue 6), appended after the read path's migrations, and filled from the order lines.
enum SQLiteAnalyticsMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("005_sales_rollup") { db in
            try db.execute(sql: """
                -- Per UTC day (days since 1970-01-01), partner and currency: order lines, distinct orders with a
                -- line that day, Σ quantity and Σ quantity × unit_price_units (integer ten-thousandths).
                CREATE TABLE sales_daily (
                    day INTEGER NOT NULL,
                    partner_name TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    lines INTEGER NOT NULL,
                    orders INTEGER NOT NULL,
                    units INTEGER NOT NULL,
                    sales INTEGER NOT NULL,
                    PRIMARY KEY (day, partner_name, currency)
                ) WITHOUT ROWID;
                -- Per partner, SKU and currency over all time, ranked per currency for top-products.
                CREATE TABLE sales_by_sku (
                    partner_id TEXT NOT NULL,
                    sku TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    partner_name TEXT NOT NULL,
                    lines INTEGER NOT NULL,
                    units INTEGER NOT NULL,
                    sales INTEGER NOT NULL,
                    PRIMARY KEY (partner_id, sku, currency)
                ) WITHOUT ROWID;
                CREATE INDEX sales_by_sku_ranked ON sales_by_sku (currency, sales DESC, units DESC, partner_name, sku);
                CREATE INDEX sales_by_sku_ranked_per_partner ON sales_by_sku (partner_name, currency, sales DESC, units DESC, sku);
                -- Orders whose lines in one currency fall on more than one UTC day: counted once per day above.
                CREATE TABLE sales_split_orders (
                    order_seq INTEGER NOT NULL,
                    currency TEXT NOT NULL,
                    PRIMARY KEY (order_seq, currency)
                ) WITHOUT ROWID;
                -- A SKU's lines in a range, for the top-products candidates.
                CREATE INDEX order_lines_by_sku ON order_lines (sku, currency, ordered_at, order_seq, quantity, unit_price_units);

                INSERT INTO sales_daily (day, partner_name, currency, lines, orders, units, sales)
                SELECT CAST(julianday(substr(l.ordered_at, 1, 10)) - 2440587.5 AS INTEGER), o.partner_name, l.currency,
                    count(*), count(DISTINCT l.order_seq), sum(l.quantity), sum(l.quantity * l.unit_price_units)
                FROM order_lines l JOIN orders o ON o.seq = l.order_seq
                GROUP BY 1, 2, 3;
                INSERT INTO sales_by_sku (partner_id, sku, currency, partner_name, lines, units, sales)
                SELECT o.partner_id, l.sku, l.currency, o.partner_name, count(*), sum(l.quantity), sum(l.quantity * l.unit_price_units)
                FROM order_lines l JOIN orders o ON o.seq = l.order_seq
                GROUP BY 1, 2, 3, 4;
                INSERT INTO sales_split_orders (order_seq, currency)
                SELECT l.order_seq, l.currency FROM order_lines l
                GROUP BY 1, 2 HAVING min(substr(l.ordered_at, 1, 10)) <> max(substr(l.ordered_at, 1, 10));
                """)
        }
    }
}
