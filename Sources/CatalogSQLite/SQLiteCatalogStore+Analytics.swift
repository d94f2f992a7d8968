import CatalogCore
import Foundation
import GRDB

/// `/analytics/*` from the sales rollup (`SalesRollup`), with the order lines for partial days; every
/// answer reads one snapshot (one read transaction).
extension SQLiteCatalogStore: AnalyticsQueries {
    /// The order lines in scope: `ordered_at` in `[from, to)` (an index range), and one partner's orders.
    static func lineConditions(_ filter: AnalyticsFilter) -> (String, [(any DatabaseValueConvertible)?]) {
        var conditions = ["1 = 1"]
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let from = filter.from {
            conditions.append("l.ordered_at >= ?")
            arguments.append(storedBound(from))
        }
        if let to = filter.to {
            conditions.append("l.ordered_at < ?")
            arguments.append(storedBound(to))
        }
        if let partnerName = filter.partnerName {
            conditions.append("l.order_seq IN (SELECT seq FROM orders WHERE partner_name = ?)")
            arguments.append(partnerName)
        }
        return (conditions.joined(separator: " AND "), arguments)
    }

    /// The `sales_daily` rows in scope: whole days in `[firstDay, endDay)`, one partner.
    static func dayConditions(_ plan: RollupPlan?, partnerName: String?) -> (String, [(any DatabaseValueConvertible)?]) {
        var conditions = ["1 = 1"]
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let firstDay = plan?.firstDay {
            conditions.append("day >= ?")
            arguments.append(firstDay)
        }
        if let endDay = plan?.endDay {
            conditions.append("day < ?")
            arguments.append(endDay)
        }
        if let partnerName {
            conditions.append("partner_name = ?")
            arguments.append(partnerName)
        }
        return (conditions.joined(separator: " AND "), arguments)
    }

    /// The UTC day of `column` (stored `yyyy-MM-dd HH:mm:ss.SSS` text) in days since 1970-01-01.
    static func utcDay(_ column: String) -> String { "CAST(julianday(substr(\(column), 1, 10)) - 2440587.5 AS INTEGER)" }

    // MARK: - The endpoints

    public func salesByPartner(_ filter: AnalyticsFilter) async throws -> [PartnerSales] {
        try await read { db in
            guard let plan = RollupPlan(filter) else { return try Self.lineSalesByPartner(filter, db) }
            let (conditions, arguments) = Self.dayConditions(plan, partnerName: filter.partnerName)
            let whole = try Row.fetchAll(db, sql: """
                SELECT partner_name, currency, sum(units), sum(orders), sum(sales)
                FROM sales_daily WHERE \(conditions)
                GROUP BY partner_name, currency HAVING sum(lines) > 0
                """, arguments: StatementArguments(arguments)).map(Self.partnerSales)
            let edges = try plan.edges.map { try Self.lineSalesByPartner($0, db) }
            return SalesRollup.salesByPartner(whole: whole, edges: edges, splitDays: try Self.splitOrderDays(filter, db))
        }
    }

    public func salesOverTime(_ filter: AnalyticsFilter, grain: SalesGrain) async throws -> [PeriodSales] {
        try await read { db in
            guard let plan = RollupPlan(filter) else { return try Self.lineSalesOverTime(filter, grain, db) }
            let (conditions, arguments) = Self.dayConditions(plan, partnerName: filter.partnerName)
            let whole = try Row.fetchAll(db, sql: """
                SELECT day, currency, sum(units), sum(orders), sum(sales)
                FROM sales_daily WHERE \(conditions)
                GROUP BY day, currency HAVING sum(lines) > 0
                """, arguments: StatementArguments(arguments)).map { row in
                PeriodSales(periodStartDay: row[0], currency: row[1], unitsSold: row[2], orders: row[3], totalSales: ExactDecimal(units: row[4]))
            }
            let edges = try plan.edges.map { try Self.lineSalesOverTime($0, .daily, db) }
            return SalesRollup.salesOverTime(whole: whole, edges: edges, splitDays: try Self.splitOrderDays(filter, db), grain: grain)
        }
    }

    static func partnerSales(_ row: Row) -> PartnerSales {
        PartnerSales(partnerName: row[0], currency: row[1], unitsSold: row[2], orders: row[3], totalSales: ExactDecimal(units: row[4]))
    }

    static func lineSalesByPartner(_ filter: AnalyticsFilter, _ db: Database) throws -> [PartnerSales] {
        let (conditions, arguments) = lineConditions(filter)
        // Lines are summed per order first, so that the join to orders runs once per order, not per line.
        return try Row.fetchAll(db, sql: """
            WITH per_order AS (
                SELECT l.order_seq, l.currency, sum(l.quantity) AS units, sum(l.quantity * l.unit_price_units) AS sales
                FROM order_lines l WHERE \(conditions)
                GROUP BY l.order_seq, l.currency)
            SELECT o.partner_name, p.currency, sum(p.units), count(*), sum(p.sales)
            FROM per_order p JOIN orders o ON o.seq = p.order_seq
            GROUP BY o.partner_name, p.currency
            """, arguments: StatementArguments(arguments)).map(partnerSales)
    }

    static func lineSalesOverTime(_ filter: AnalyticsFilter, _ grain: SalesGrain, _ db: Database) throws -> [PeriodSales] {
        let (conditions, arguments) = lineConditions(filter)
        let period = switch grain {
        case .daily: "day"
        case .weekly: "date(day, '-6 days', 'weekday 1')"
        case .monthly: "substr(day, 1, 7) || '-01'"
        }
        // Per day first (a cheap substring of the stored text), then per period and order, so that an
        // order counts once per period.
        return try Row.fetchAll(db, sql: """
            WITH daily AS (
                SELECT substr(l.ordered_at, 1, 10) AS day, l.currency, l.order_seq, sum(l.quantity) AS units,
                    sum(l.quantity * l.unit_price_units) AS sales
                FROM order_lines l WHERE \(conditions)
                GROUP BY 1, 2, 3),
            per_order AS (
                SELECT \(period) AS period, currency, order_seq, sum(units) AS units, sum(sales) AS sales
                FROM daily GROUP BY 1, 2, 3)
            SELECT period, currency, sum(units), count(*), sum(sales) FROM per_order GROUP BY period, currency
            """, arguments: StatementArguments(arguments)).map { row in
            let micros = UTCMicroseconds.parseSQLiteText(row[0]) ?? 0
            return PeriodSales(
                periodStartDay: SalesPeriods.day(ofMicroseconds: micros), currency: row[1], unitsSold: row[2], orders: row[3],
                totalSales: ExactDecimal(units: row[4]))
        }
    }

    /// `currencies`: only these (nil: all).
    static func lineTopProducts(_ filter: AnalyticsFilter, limit: Int, currencies: [String]?, _ db: Database) throws -> [ProductSales] {
        var (conditions, arguments) = lineConditions(filter)
        if let currencies {
            conditions += " AND l.currency IN (\(Array(repeating: "?", count: currencies.count).joined(separator: ", ")))"
            arguments += currencies.map { $0 as (any DatabaseValueConvertible)? }
        }
        return try Row.fetchAll(db, sql: """
            WITH sales AS (
                SELECT o.partner_id, o.partner_name, l.sku, l.currency, sum(l.quantity) AS units,
                    sum(l.quantity * l.unit_price_units) AS total
                FROM order_lines l JOIN orders o ON o.seq = l.order_seq
                WHERE \(conditions)
                GROUP BY o.partner_id, o.partner_name, l.sku, l.currency),
            ranked AS (
                SELECT *, row_number() OVER (
                    PARTITION BY currency ORDER BY total DESC, units DESC, partner_name, sku) AS position
                FROM sales)
            SELECT r.partner_name, r.sku, r.currency, r.units, r.total,
                (SELECT p.product_id FROM products p WHERE p.partner_id = r.partner_id AND p.sku = r.sku),
                (SELECT p.product_name FROM products p WHERE p.partner_id = r.partner_id AND p.sku = r.sku)
            FROM ranked r WHERE r.position <= ?
            """, arguments: StatementArguments(arguments + [limit])).map { row in
            ProductSales(
                productID: row[5], partnerName: row[0], sku: row[1], productName: row[6], currency: row[2], unitsSold: row[3],
                totalSales: ExactDecimal(units: row[4]))
        }
    }

    // MARK: - Reading the rollup

    /// The days with lines inside the filter's range of each split order (one with lines in one currency on
    /// more than one UTC day).
    static func splitOrderDays(_ filter: AnalyticsFilter, _ db: Database) throws -> [SplitOrderDay] {
        // The partner on the joined order, not through lineConditions' subquery.
        var (conditions, arguments) = lineConditions(AnalyticsFilter(from: filter.from, to: filter.to))
        if let partnerName = filter.partnerName {
            conditions += " AND o.partner_name = ?"
            arguments.append(partnerName)
        }
        // CROSS JOIN keeps the join order: from the (few) split orders to their lines, never from the
        // range's lines to the split orders.
        return try Row.fetchAll(db, sql: """
            SELECT s.order_seq, o.partner_name, s.currency, \(utcDay("l.ordered_at")) AS day
            FROM sales_split_orders s CROSS JOIN orders o ON o.seq = s.order_seq
            CROSS JOIN order_lines l ON l.order_seq = s.order_seq AND l.currency = s.currency
            WHERE \(conditions)
            GROUP BY 1, 2, 3, 4
            """, arguments: StatementArguments(arguments)).map { row in
            SplitOrderDay(orderSeq: row[0], partnerName: row[1], currency: row[2], day: row[3])
        }
    }

    public func inventory(_ filter: AnalyticsFilter, lowStockThreshold: Int64) async throws -> [InventoryGroup] {
        var conditions = ["1 = 1"]
        var arguments: [(any DatabaseValueConvertible)?] = [lowStockThreshold]
        if let partnerName = filter.partnerName {
            conditions.append("partner_name = ?")
            arguments.append(partnerName)
        }
        if let from = filter.from {
            conditions.append("created_at >= ?")
            arguments.append(Self.storedBound(from))
        }
        if let to = filter.to {
            conditions.append("created_at < ?")
            arguments.append(Self.storedBound(to))
        }
        let whereClause = conditions.joined(separator: " AND ")
        let statementArguments = StatementArguments(arguments)
        return try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT partner_name, category, currency, count(*),
                    count(*) FILTER (WHERE status = 'active'),
                    count(*) FILTER (WHERE status = 'active' AND availability = 'in_stock'),
                    count(*) FILTER (WHERE status = 'active' AND availability = 'out_of_stock'),
                    count(*) FILTER (WHERE status = 'active' AND quantity BETWEEN 1 AND ?),
                    coalesce(sum(price_units) FILTER (WHERE status = 'active'), 0),
                    coalesce(sum(price_units * coalesce(quantity, 0)) FILTER (WHERE status = 'active'), 0)
                FROM products WHERE \(whereClause)
                GROUP BY partner_name, category, currency
                """, arguments: statementArguments).map { row in
                InventoryGroup(
                    partnerName: row[0], category: row[1], currency: row[2], products: row[3], active: row[4], inStock: row[5],
                    outOfStock: row[6], lowStock: row[7], activePriceTotal: ExactDecimal(units: row[8]),
                    inventoryValue: ExactDecimal(units: row[9]))
            }
        }
    }
}
