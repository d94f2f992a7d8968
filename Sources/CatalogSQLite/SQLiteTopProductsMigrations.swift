import GRDB

/// What top-products over a range needs of each SKU beside its totals (`TopSkuSearch`).
enum SQLiteTopProductsMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("007_sku_spans") { db in
            try db.execute(sql: """
                -- The instants of each SKU's first and last lines and its smallest line's sales (quantity × unit price).
                ALTER TABLE sales_by_sku ADD COLUMN first_ordered_at TEXT NOT NULL DEFAULT '';
                ALTER TABLE sales_by_sku ADD COLUMN last_ordered_at TEXT NOT NULL DEFAULT '';
                ALTER TABLE sales_by_sku ADD COLUMN smallest_line INTEGER NOT NULL DEFAULT 0;
                UPDATE sales_by_sku AS r SET first_ordered_at = s.first_ordered_at, last_ordered_at = s.last_ordered_at,
                    smallest_line = s.smallest_line
                FROM (SELECT o.partner_id, l.sku, l.currency, min(l.ordered_at) AS first_ordered_at,
                          max(l.ordered_at) AS last_ordered_at, min(l.quantity * l.unit_price_units) AS smallest_line
                      FROM order_lines l JOIN orders o ON o.seq = l.order_seq GROUP BY 1, 2, 3) AS s
                WHERE r.partner_id = s.partner_id AND r.sku = s.sku AND r.currency = s.currency;
                -- A row without lines has no place in the rollup (merges delete them); none should be left.
                DELETE FROM sales_by_sku WHERE first_ordered_at = '';
                -- The rank indexes carry the span, so that the best SKUs wholly inside a range are read from the index.
                DROP INDEX sales_by_sku_ranked;
                CREATE INDEX sales_by_sku_ranked
                    ON sales_by_sku (currency, sales DESC, units DESC, partner_name, sku, first_ordered_at, last_ordered_at, lines);
                DROP INDEX sales_by_sku_ranked_per_partner;
                CREATE INDEX sales_by_sku_ranked_per_partner
                    ON sales_by_sku (partner_name, currency, sales DESC, units DESC, sku, first_ordered_at, last_ordered_at, lines);
                -- The straddling SKUs of a range in the order of their bound (sales less the smallest line).
                CREATE INDEX sales_by_sku_bound ON sales_by_sku (currency, sales - smallest_line DESC, partner_id, sku);
                CREATE INDEX sales_by_sku_bound_per_partner ON sales_by_sku (partner_name, currency, sales - smallest_line DESC, partner_id, sku);
                """)
        }
    }
}
