import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: AnalyticsQueries {
    /// The order lines in scope: `ordered_at` in `[from, to)` (an index range), and one partner's orders.
    static func lineConditions(_ filter: AnalyticsFilter) -> (String, StatementArguments) {
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
        return (conditions.joined(separator: " AND "), StatementArguments(arguments))
    }

    public func salesByPartner(_ filter: AnalyticsFilter) async throws -> [PartnerSales] {
        let (conditions, arguments) = Self.lineConditions(filter)
        return try await read { db in
            // Lines are summed per order first, so that the join to orders runs once per order, not per line.
            try Row.fetchAll(db, sql: """
                WITH per_order AS (
                    SELECT l.order_seq, l.currency, sum(l.quantity) AS units, sum(l.quantity * l.unit_price_units) AS sales
                    FROM order_lines l WHERE \(conditions)
                    GROUP BY l.order_seq, l.currency)
                SELECT o.partner_name, p.currency, sum(p.units), count(*), sum(p.sales)
                FROM per_order p JOIN orders o ON o.seq = p.order_seq
                GROUP BY o.partner_name, p.currency
                """, arguments: arguments).map { row in
                PartnerSales(partnerName: row[0], currency: row[1], unitsSold: row[2], orders: row[3], totalSales: ExactDecimal(units: row[4]))
            }
        }
    }

    public func salesOverTime(_ filter: AnalyticsFilter, grain: SalesGrain) async throws -> [PeriodSales] {
        let (conditions, arguments) = Self.lineConditions(filter)
        let period = switch grain {
        case .daily: "day"
        case .weekly: "date(day, '-6 days', 'weekday 1')"
        case .monthly: "substr(day, 1, 7) || '-01'"
        }
        return try await read { db in
            // Per day first (a cheap substring of the stored text), then per period and order, so that an
            // order counts once per period.
            try Row.fetchAll(db, sql: """
                WITH daily AS (
                    SELECT substr(l.ordered_at, 1, 10) AS day, l.currency, l.order_seq, sum(l.quantity) AS units,
                        sum(l.quantity * l.unit_price_units) AS sales
                    FROM order_lines l WHERE \(conditions)
                    GROUP BY 1, 2, 3),
                per_order AS (
                    SELECT \(period) AS period, currency, order_seq, sum(units) AS units, sum(sales) AS sales
                    FROM daily GROUP BY 1, 2, 3)
                SELECT period, currency, sum(units), count(*), sum(sales) FROM per_order GROUP BY period, currency
                """, arguments: arguments).map { row in
                let micros = UTCMicroseconds.parseSQLiteText(row[0]) ?? 0
                return PeriodSales(
                    periodStartDay: SalesPeriods.day(ofMicroseconds: micros), currency: row[1], unitsSold: row[2], orders: row[3],
                    totalSales: ExactDecimal(units: row[4]))
            }
        }
    }

    public func topProducts(_ filter: AnalyticsFilter, limit: Int) async throws -> [ProductSales] {
        let (conditions, arguments) = Self.lineConditions(filter)
        return try await read { db in
            try Row.fetchAll(db, sql: """
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
                """, arguments: arguments + [limit]).map { row in
                ProductSales(
                    productID: row[5], partnerName: row[0], sku: row[1], productName: row[6], currency: row[2], unitsSold: row[3],
                    totalSales: ExactDecimal(units: row[4]))
            }
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
