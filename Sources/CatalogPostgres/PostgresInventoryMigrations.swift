/// The inventory rollup (issue 6), after the sales rollup. Statement-level triggers with transition
/// tables keep it: one GROUP BY over the rows each INSERT, UPDATE or DELETE of `products` changed, in the
/// same transaction, so the products merge itself is unchanged. `inventory_rollup_rebuild()` recomputes it
/// from the products (the migration fills it with it).
enum PostgresInventoryMigrations {
    /// Quantities 1 … `quantityClasses` keep their own rows (low_stock for thresholds up to it); the rest
    /// are class 0 (none, or below 1) and `quantityClasses + 1` (above).
    static let quantityClasses = 100

    /// The rollup's columns computed from a set of product rows `r`, each row counted `sign` times.
    static func figures(_ rows: String, sign: String) -> String {
        """
        SELECT r.partner_name, r.category, r.currency,
                ((r.created_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01') AS day,
                CASE WHEN r.quantity IS NULL OR r.quantity < 1 THEN 0 WHEN r.quantity > \(quantityClasses) THEN \(quantityClasses + 1)
                    ELSE r.quantity END AS quantity_class,
                \(sign) AS products,
                \(sign) * (r.status = 'active')::int AS active,
                \(sign) * (r.status = 'active' AND r.availability = 'in_stock')::int AS in_stock,
                \(sign) * (r.status = 'active' AND r.availability = 'out_of_stock')::int AS out_of_stock,
                CASE WHEN r.status = 'active' THEN \(sign) * r.price_units::numeric ELSE 0 END AS price_total,
                CASE WHEN r.status = 'active' THEN \(sign) * r.price_units::numeric * coalesce(r.quantity, 0) ELSE 0 END AS value
            FROM \(rows) r
        """
    }

    /// Adds the sums of `changes` (rows of `figures`) to the rollup; groups that cancel out are skipped.
    static func apply(_ changes: String) -> String {
        """
        INSERT INTO inventory_daily AS d (partner_name, category, currency, day, quantity_class, products, active, in_stock,
                    out_of_stock, price_total, value)
                SELECT partner_name, category, currency, day, quantity_class, sum(products), sum(active), sum(in_stock),
                    sum(out_of_stock), sum(price_total), sum(value)
                FROM (\(changes)) c
                GROUP BY 1, 2, 3, 4, 5
                HAVING sum(products) <> 0 OR sum(active) <> 0 OR sum(in_stock) <> 0 OR sum(out_of_stock) <> 0
                    OR sum(price_total) <> 0 OR sum(value) <> 0
                ORDER BY 1, 2, 3, 4, 5
                ON CONFLICT (partner_name, category, currency, day, quantity_class) DO UPDATE SET
                    products = d.products + excluded.products, active = d.active + excluded.active,
                    in_stock = d.in_stock + excluded.in_stock, out_of_stock = d.out_of_stock + excluded.out_of_stock,
                    price_total = d.price_total + excluded.price_total, value = d.value + excluded.value
        """
    }

    static let all: [PostgresMigrations.Migration] = [
        PostgresMigrations.Migration(name: "008_inventory_rollup", sql: """
            -- Per partner, category, currency, UTC day of created_at (days since 1970-01-01) and quantity class: the
            -- products, and of the active ones the count, in stock, out of stock, Σ price and Σ price × quantity
            -- (integer ten-thousandths). Rows whose figures drop to zero stay.
            CREATE TABLE inventory_daily (
                partner_name TEXT COLLATE "C" NOT NULL,
                category TEXT COLLATE "C",
                currency TEXT COLLATE "C" NOT NULL,
                day INTEGER NOT NULL,
                quantity_class INTEGER NOT NULL,
                products BIGINT NOT NULL,
                active BIGINT NOT NULL,
                in_stock BIGINT NOT NULL,
                out_of_stock BIGINT NOT NULL,
                price_total NUMERIC NOT NULL,
                value NUMERIC NOT NULL,
                UNIQUE NULLS NOT DISTINCT (partner_name, category, currency, day, quantity_class)
            );
            CREATE INDEX inventory_daily_by_day ON inventory_daily (day);
            -- (The migrator splits statements at a `;` that ends a line: inside the bodies each one is followed by a comment.)
            CREATE FUNCTION inventory_rollup_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    \(apply(figures("new_rows", sign: "1"))); -- inserted
                ELSIF TG_OP = 'DELETE' THEN
                    \(apply(figures("old_rows", sign: "-1"))); -- deleted
                ELSE
                    \(apply(figures("new_rows", sign: "1") + " UNION ALL " + figures("old_rows", sign: "-1"))); -- updated
                END IF; -- then
                RETURN NULL; -- after the statement
            END
            $$;
            CREATE TRIGGER products_inventory_inserted AFTER INSERT ON products REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION inventory_rollup_changed();
            CREATE TRIGGER products_inventory_updated AFTER UPDATE ON products REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION inventory_rollup_changed();
            CREATE TRIGGER products_inventory_deleted AFTER DELETE ON products REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION inventory_rollup_changed();
            CREATE FUNCTION inventory_rollup_rebuild() RETURNS void LANGUAGE sql AS $$
                TRUNCATE inventory_daily; -- then from the products
                \(apply(figures("products", sign: "1"))); -- all of them
            $$;
            SELECT inventory_rollup_rebuild();
            """),
    ]
}
