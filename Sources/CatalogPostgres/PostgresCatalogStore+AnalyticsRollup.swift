import CatalogCore
import Foundation
import Logging
import PostgresNIO

/// Keeping the sales rollup (`SalesRollup`, migration 007_sales_rollup) exact, in the transaction of every
/// order write. An orders merge takes away what the orders it touches added before it writes, and adds
/// what they add afterwards, as one net change per rollup row; a posted order only adds. Whole orders are
/// recounted, so that each order's distinct days stay right whichever of its lines change.
///
/// Concurrency: the rollup rows of a partner are only written by writes of that partner's orders. A
/// partner's feeds run one at a time (the job queue), and a posted order is new (an existing order ID is
/// a conflict), so no two transactions recount the same order; two writers adding to the same rows are
/// serialised by the upsert's row locks, and both sums count.
extension PostgresCatalogStore {
    /// Per UTC day, partner and currency: the lines of the orders matching `orders` (a condition on `l`).
    static func dailyRollupRows(_ orders: String) -> String {
        """
        SELECT \(utcDay("l.ordered_at")) AS day, o.partner_name COLLATE "C" AS partner_name, l.currency COLLATE "C" AS currency,
            count(*) AS lines, count(DISTINCT l.order_seq) AS orders, sum(l.quantity)::bigint AS units,
            sum(l.quantity * l.unit_price_units)::bigint AS sales
        FROM order_lines l JOIN orders o ON o.seq = l.order_seq
        WHERE \(orders)
        GROUP BY 1, 2, 3
        """
    }

    /// Per partner, SKU and currency: the lines of the orders matching `orders`.
    static func skuRollupRows(_ orders: String) -> String {
        """
        SELECT o.partner_id, l.sku, l.currency COLLATE "C" AS currency, o.partner_name COLLATE "C" AS partner_name,
            count(*) AS lines, sum(l.quantity)::bigint AS units, sum(l.quantity * l.unit_price_units)::bigint AS sales,
            min(l.ordered_at) AS first_ordered_at, max(l.ordered_at) AS last_ordered_at,
            min(l.quantity * l.unit_price_units)::bigint AS smallest_line
        FROM order_lines l JOIN orders o ON o.seq = l.order_seq
        WHERE \(orders)
        GROUP BY 1, 2, 3, 4
        """
    }

    /// The orders matching `orders` whose lines in one currency fall on more than one UTC day.
    static func splitRollupRows(_ orders: String) -> String {
        """
        SELECT l.order_seq, l.currency FROM order_lines l
        WHERE \(orders)
        GROUP BY 1, 2 HAVING min(l.ordered_at AT TIME ZONE 'UTC')::date <> max(l.ordered_at AT TIME ZONE 'UTC')::date
        """
    }

    static let addToDaily = """
        ON CONFLICT (day, partner_name, currency) DO UPDATE SET lines = r.lines + excluded.lines, orders = r.orders + excluded.orders,
            units = r.units + excluded.units, sales = r.sales + excluded.sales
        """

    /// The span widens with the lines added; `respanSkus` narrows it where lines moved or shrank.
    static let addToSku = """
        ON CONFLICT (partner_id, sku, currency) DO UPDATE SET lines = r.lines + excluded.lines, units = r.units + excluded.units,
            sales = r.sales + excluded.sales, first_ordered_at = least(r.first_ordered_at, excluded.first_ordered_at),
            last_ordered_at = greatest(r.last_ordered_at, excluded.last_ordered_at),
            smallest_line = least(r.smallest_line, excluded.smallest_line)
        """

    static let skuColumns = "partner_id, sku, currency, partner_name, lines, units, sales, first_ordered_at, last_ordered_at, smallest_line"

    /// Locks the rows `respanSkus` recomputes before it reads the lines: a posted order of the same SKU
    /// that commits meanwhile is then in the recomputation's snapshot (READ COMMITTED takes one per
    /// statement), or waits to widen the span after this merge commits. Recomputing first could
    /// overwrite a span its upsert had just widened.
    static let lockSkusToRespan = """
        SELECT 1 FROM sales_by_sku r
        WHERE (r.partner_id, r.sku, r.currency) IN (SELECT partner_id, sku, currency FROM rollup_before_sku)
        FOR UPDATE
        """

    /// Recomputes the span of the SKUs that lines of the touched existing orders had before the merge: only
    /// there can a line have moved in time, changed currency or sold less, and top-products relies on the
    /// span being exact (a SKU straddling a range's edge has a line outside it).
    static let respanSkus = """
        UPDATE sales_by_sku r SET first_ordered_at = s.first_ordered_at, last_ordered_at = s.last_ordered_at,
            smallest_line = s.smallest_line
        FROM (SELECT b.partner_id, b.sku, b.currency, min(l.ordered_at) AS first_ordered_at, max(l.ordered_at) AS last_ordered_at,
                  min(l.quantity * l.unit_price_units)::bigint AS smallest_line
              FROM rollup_before_sku b
              JOIN order_lines l ON l.sku = b.sku AND l.currency = b.currency
              JOIN orders o ON o.seq = l.order_seq AND o.partner_id = b.partner_id
              GROUP BY 1, 2, 3) s
        WHERE r.partner_id = s.partner_id AND r.sku = s.sku AND r.currency = s.currency
        """

    /// Adds the lines of the new order `seq` (posted, not merged) to the rollup.
    static func rollUpNewOrder(_ seq: Int64, _ connection: PostgresConnection, _ logger: Logger) async throws {
        var binds = PostgresBindings()
        binds.append(seq)
        for sql in [
            "INSERT INTO sales_daily AS r (day, partner_name, currency, lines, orders, units, sales) \(dailyRollupRows("l.order_seq = $1")) ORDER BY 1, 2, 3 \(addToDaily)",
            "INSERT INTO sales_by_sku AS r (\(skuColumns)) \(skuRollupRows("l.order_seq = $1")) ORDER BY 1, 2, 3 \(addToSku)",
            "INSERT INTO sales_split_orders (order_seq, currency) \(splitRollupRows("l.order_seq = $1"))",
        ] {
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).drain()
        }
    }

    static let rolledUpOrders = "l.order_seq IN (SELECT seq FROM rollup_orders)"

    /// Before an orders merge writes: notes the existing orders whose lines it inserts or updates
    /// (`rollup_orders`) and what they add to the rollup now (`rollup_before_daily`, `rollup_before_sku`).
    static func rollupBeforeOrdersMerge(jobID: String, partnerID: String, _ connection: PostgresConnection, _ logger: Logger)
        async throws
    {
        try await withNestedLoops(connection, logger) {
            try await connection.query("CREATE TEMP TABLE rollup_orders (seq BIGINT PRIMARY KEY) ON COMMIT DROP", logger: logger).drain()
            try await connection.query("""
                INSERT INTO rollup_orders
                SELECT DISTINCT o.seq FROM order_staging s
                JOIN orders o ON o.partner_id = \(partnerID) AND o.partner_order_id = s.order_id
                LEFT JOIN order_lines l ON l.order_seq = o.seq AND l.sku = s.sku
                WHERE s.job_id = \(jobID) AND (l.order_seq IS NULL OR l.content_hash <> s.content_hash)
                """, logger: logger).drain()
            try await connection.query("ANALYZE rollup_orders", logger: logger).drain()
            try await connection.query(PostgresQuery(unsafeSQL: """
                CREATE TEMP TABLE rollup_before_daily ON COMMIT DROP AS \(dailyRollupRows(rolledUpOrders))
                """), logger: logger).drain()
            try await connection.query(PostgresQuery(unsafeSQL: """
                CREATE TEMP TABLE rollup_before_sku ON COMMIT DROP AS \(skuRollupRows(rolledUpOrders))
                """), logger: logger).drain()
        }
    }

    /// After an orders merge wrote its lines: `newOrders` are the sequence numbers of the orders it
    /// created. Applies the net change of the touched orders to the rollup.
    static func rollupAfterOrdersMerge(newOrders: ClosedRange<Int64>?, _ connection: PostgresConnection, _ logger: Logger)
        async throws
    {
        try await withNestedLoops(connection, logger) {
            if let newOrders {
                try await connection.query("""
                    INSERT INTO rollup_orders SELECT generate_series(\(newOrders.lowerBound), \(newOrders.upperBound))
                    """, logger: logger).drain()
                try await connection.query("ANALYZE rollup_orders", logger: logger).drain()
            }
            for sql in [
                """
                INSERT INTO sales_daily AS r (day, partner_name, currency, lines, orders, units, sales)
                SELECT day, partner_name, currency, sum(lines), sum(orders), sum(units), sum(sales)
                FROM (\(dailyRollupRows(rolledUpOrders))
                      UNION ALL
                      SELECT day, partner_name, currency, -lines, -orders, -units, -sales FROM rollup_before_daily) d
                GROUP BY day, partner_name, currency
                HAVING sum(lines) <> 0 OR sum(orders) <> 0 OR sum(units) <> 0 OR sum(sales) <> 0
                ORDER BY day, partner_name, currency
                \(addToDaily)
                """,
                """
                DELETE FROM sales_daily r USING rollup_before_daily b
                WHERE r.day = b.day AND r.partner_name = b.partner_name AND r.currency = b.currency AND r.lines = 0
                """,
                """
                INSERT INTO sales_by_sku AS r (\(skuColumns))
                SELECT partner_id, sku, currency, partner_name, sum(lines), sum(units), sum(sales),
                    -- A SKU left without lines of the touched orders widens nothing (PostgreSQL checks NOT NULL
                    -- before it finds the conflict, so no NULL here).
                    coalesce(min(first_ordered_at), 'infinity'), coalesce(max(last_ordered_at), '-infinity'),
                    coalesce(min(smallest_line), \(Int64.max))
                FROM (\(skuRollupRows(rolledUpOrders))
                      UNION ALL
                      SELECT partner_id, sku, currency, partner_name, -lines, -units, -sales, NULL, NULL, NULL FROM rollup_before_sku) d
                GROUP BY partner_id, sku, currency, partner_name
                HAVING sum(lines) <> 0 OR sum(units) <> 0 OR sum(sales) <> 0
                ORDER BY partner_id, sku, currency
                \(addToSku)
                """,
                """
                DELETE FROM sales_by_sku r USING rollup_before_sku b
                WHERE r.partner_id = b.partner_id AND r.sku = b.sku AND r.currency = b.currency AND r.lines = 0
                """,
                lockSkusToRespan,
                respanSkus,
                "DELETE FROM sales_split_orders WHERE order_seq IN (SELECT seq FROM rollup_orders)",
                "INSERT INTO sales_split_orders (order_seq, currency) \(splitRollupRows(rolledUpOrders))",
            ] {
                try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).drain()
            }
        }
    }

    /// The bulk merge turns nested loops off for its own joins of whole feeds; the rollup's statements
    /// touch the few orders a small feed changes by index, so the planner may choose again meanwhile.
    static func withNestedLoops(_ connection: PostgresConnection, _ logger: Logger, _ body: () async throws -> Void) async throws {
        let previous = try await connection.query("SELECT current_setting('enable_nestloop')", logger: logger).one(String.self) ?? "on"
        try await connection.query("SET LOCAL enable_nestloop = on", logger: logger).drain()
        try await body()
        try await connection.query("SELECT set_config('enable_nestloop', \(previous), true)", logger: logger).drain()
    }
}
