import CatalogCore
import Foundation
import GRDB

/// Keeping the sales rollup (`SalesRollup`, migration 005_sales_rollup) exact, in the transaction of every
/// order write. An orders merge takes away what the orders it touches added before it writes, and adds
/// what they add afterwards, as one net change per rollup row; a posted order only adds. Whole orders are
/// recounted, so that each order's distinct days stay right whichever of its lines change.
extension SQLiteCatalogStore {
    /// Per UTC day, partner and currency: the lines of the orders matching `orders` (a condition on `l`).
    static func dailyRollupRows(_ orders: String) -> String {
        """
        SELECT \(utcDay("l.ordered_at")) AS day, o.partner_name AS partner_name, l.currency AS currency,
            count(*) AS lines, count(DISTINCT l.order_seq) AS orders, sum(l.quantity) AS units,
            sum(l.quantity * l.unit_price_units) AS sales
        FROM order_lines l JOIN orders o ON o.seq = l.order_seq
        WHERE \(orders)
        GROUP BY 1, 2, 3
        """
    }

    /// Per partner, SKU and currency: the lines of the orders matching `orders`.
    static func skuRollupRows(_ orders: String) -> String {
        """
        SELECT o.partner_id AS partner_id, l.sku AS sku, l.currency AS currency, o.partner_name AS partner_name,
            count(*) AS lines, sum(l.quantity) AS units, sum(l.quantity * l.unit_price_units) AS sales,
            min(l.ordered_at) AS first_ordered_at, max(l.ordered_at) AS last_ordered_at,
            min(l.quantity * l.unit_price_units) AS smallest_line
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
        GROUP BY 1, 2 HAVING min(substr(l.ordered_at, 1, 10)) <> max(substr(l.ordered_at, 1, 10))
        """
    }

    // `WHERE true`: SQLite's upsert after a SELECT needs a WHERE clause to parse.
    static func addToDaily(_ rows: String) -> String {
        """
        INSERT INTO sales_daily (day, partner_name, currency, lines, orders, units, sales)
        SELECT * FROM (\(rows)) WHERE true
        ON CONFLICT (day, partner_name, currency) DO UPDATE SET lines = lines + excluded.lines, orders = orders + excluded.orders,
            units = units + excluded.units, sales = sales + excluded.sales
        """
    }

    /// The span widens with the lines added; `respanSkus` narrows it where lines moved or shrank.
    static func addToSku(_ rows: String) -> String {
        """
        INSERT INTO sales_by_sku (partner_id, sku, currency, partner_name, lines, units, sales,
            first_ordered_at, last_ordered_at, smallest_line)
        SELECT * FROM (\(rows)) WHERE true
        ON CONFLICT (partner_id, sku, currency) DO UPDATE SET lines = lines + excluded.lines, units = units + excluded.units,
            sales = sales + excluded.sales,
            first_ordered_at = min(first_ordered_at, excluded.first_ordered_at),
            last_ordered_at = max(last_ordered_at, excluded.last_ordered_at), smallest_line = min(smallest_line, excluded.smallest_line)
        """
    }

    /// Recomputes the span of the SKUs that lines of the touched existing orders had before the merge: only
    /// there can a line have moved in time, changed currency or sold less, and top-products relies on the
    /// span being exact (a SKU straddling a range's edge has a line outside it).
    static let respanSkus = """
        UPDATE sales_by_sku AS r SET first_ordered_at = s.first_ordered_at, last_ordered_at = s.last_ordered_at,
            smallest_line = s.smallest_line
        FROM (SELECT b.partner_id, b.sku, b.currency, min(l.ordered_at) AS first_ordered_at, max(l.ordered_at) AS last_ordered_at,
                  min(l.quantity * l.unit_price_units) AS smallest_line
              FROM temp.rollup_before_sku b
              CROSS JOIN order_lines l ON l.sku = b.sku AND l.currency = b.currency
              CROSS JOIN orders o ON o.seq = l.order_seq AND o.partner_id = b.partner_id
              GROUP BY 1, 2, 3) AS s
        WHERE r.partner_id = s.partner_id AND r.sku = s.sku AND r.currency = s.currency
        """

    /// Adds the lines of the new order `seq` (posted, not merged) to the rollup.
    static func rollUpNewOrder(_ seq: Int64, _ db: Database) throws {
        try db.execute(sql: addToDaily(dailyRollupRows("l.order_seq = ?")), arguments: [seq])
        try db.execute(sql: addToSku(skuRollupRows("l.order_seq = ?")), arguments: [seq])
        try db.execute(sql: "INSERT INTO sales_split_orders (order_seq, currency) \(splitRollupRows("l.order_seq = ?"))", arguments: [seq])
    }

    static let rolledUpOrders = "l.order_seq IN (SELECT seq FROM temp.rollup_orders)"

    /// Before an orders merge writes: notes the existing orders whose lines it inserts or updates
    /// (`rollup_orders`) and what they add to the rollup now (`rollup_before_daily`, `rollup_before_sku`).
    static func rollupBeforeOrdersMerge(jobID: String, partnerID: String, _ db: Database) throws {
        try db.execute(sql: """
            DROP TABLE IF EXISTS temp.rollup_orders;
            DROP TABLE IF EXISTS temp.rollup_before_daily;
            DROP TABLE IF EXISTS temp.rollup_before_sku;
            CREATE TEMP TABLE rollup_orders (seq INTEGER PRIMARY KEY);
            """)
        try db.execute(sql: """
            INSERT INTO rollup_orders
            SELECT DISTINCT o.seq FROM order_staging s
            JOIN orders o ON o.partner_id = ? AND o.partner_order_id = s.order_id
            LEFT JOIN order_lines l ON l.order_seq = o.seq AND l.sku = s.sku
            WHERE s.job_id = ? AND (l.order_seq IS NULL OR l.content_hash != s.content_hash)
            """, arguments: [partnerID, jobID])
        try db.execute(sql: "CREATE TEMP TABLE rollup_before_daily AS \(dailyRollupRows(rolledUpOrders))")
        try db.execute(sql: "CREATE TEMP TABLE rollup_before_sku AS \(skuRollupRows(rolledUpOrders))")
    }

    /// After an orders merge wrote its lines: `newOrders` are the sequence numbers of the orders it
    /// created. Applies the net change of the touched orders to the rollup.
    static func rollupAfterOrdersMerge(newOrders: ClosedRange<Int64>?, _ db: Database) throws {
        if let newOrders {
            try db.execute(sql: "INSERT INTO rollup_orders SELECT seq FROM orders WHERE seq BETWEEN ? AND ?",
                           arguments: [newOrders.lowerBound, newOrders.upperBound])
        }
        try db.execute(sql: addToDaily("""
            SELECT day, partner_name, currency, sum(lines), sum(orders), sum(units), sum(sales)
            FROM (\(dailyRollupRows(rolledUpOrders))
                  UNION ALL
                  SELECT day, partner_name, currency, -lines, -orders, -units, -sales FROM temp.rollup_before_daily)
            GROUP BY day, partner_name, currency
            HAVING sum(lines) != 0 OR sum(orders) != 0 OR sum(units) != 0 OR sum(sales) != 0
            """))
        try db.execute(sql: addToSku("""
            SELECT partner_id, sku, currency, partner_name, sum(lines), sum(units), sum(sales),
                -- A SKU left without lines of the touched orders widens nothing (and NOT NULL is checked first).
                coalesce(min(first_ordered_at), '9999'), coalesce(max(last_ordered_at), ''), coalesce(min(smallest_line), \(Int64.max))
            FROM (\(skuRollupRows(rolledUpOrders))
                  UNION ALL
                  SELECT partner_id, sku, currency, partner_name, -lines, -units, -sales, NULL, NULL, NULL FROM temp.rollup_before_sku)
            GROUP BY partner_id, sku, currency, partner_name
            HAVING sum(lines) != 0 OR sum(units) != 0 OR sum(sales) != 0
            """))
        try db.execute(sql: """
            DELETE FROM sales_daily WHERE lines = 0
              AND (day, partner_name, currency) IN (SELECT day, partner_name, currency FROM temp.rollup_before_daily);
            DELETE FROM sales_by_sku WHERE lines = 0
              AND (partner_id, sku, currency) IN (SELECT partner_id, sku, currency FROM temp.rollup_before_sku);
            \(respanSkus);
            DELETE FROM sales_split_orders WHERE order_seq IN (SELECT seq FROM temp.rollup_orders);
            INSERT INTO sales_split_orders (order_seq, currency) \(splitRollupRows(rolledUpOrders));
            DROP TABLE temp.rollup_orders;
            DROP TABLE temp.rollup_before_daily;
            DROP TABLE temp.rollup_before_sku;
            """)
    }
}
