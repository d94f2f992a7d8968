import CatalogCore
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalogStore: AnalyticsQueries {
    /// Bind parameters and the condition on order lines in scope: `ordered_at` in `[from, to)`, one partner's orders.
    struct LineScope {
        var binds = PostgresBindings()
        var conditions = ["true"]

        init(_ filter: AnalyticsFilter) {
            if let from = filter.from {
                let parameter = bind(from)
                conditions.append("l.ordered_at >= \(parameter)")
            }
            if let to = filter.to {
                let parameter = bind(to)
                conditions.append("l.ordered_at < \(parameter)")
            }
            if let partnerName = filter.partnerName {
                let parameter = bind(partnerName)
                conditions.append("l.order_seq IN (SELECT seq FROM orders WHERE partner_name = \(parameter))")
            }
        }

        mutating func bind(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }

        var sql: String { conditions.joined(separator: " AND ") }
    }

    func analyticsRows(_ sql: String, _ binds: PostgresBindings) async throws -> [PostgresRandomAccessRow] {
        try await withConnection(.upTo(max(requestTimeout, .seconds(30)))) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.logger).rows()
        }
    }

    public func salesByPartner(_ filter: AnalyticsFilter) async throws -> [PartnerSales] {
        let scope = LineScope(filter)
        // Lines are summed per order first, so that the join to orders runs once per order, not per line.
        let rows = try await analyticsRows("""
            WITH per_order AS (
                SELECT l.order_seq, l.currency, sum(l.quantity) AS units, sum(l.quantity * l.unit_price_units) AS sales
                FROM order_lines l WHERE \(scope.sql)
                GROUP BY l.order_seq, l.currency)
            SELECT o.partner_name, p.currency, sum(p.units)::bigint, count(*), sum(p.sales)::bigint
            FROM per_order p JOIN orders o ON o.seq = p.order_seq
            GROUP BY o.partner_name, p.currency
            """, scope.binds)
        return try rows.map { row in
            PartnerSales(
                partnerName: try row[0].decode(String.self), currency: try row[1].decode(String.self),
                unitsSold: try row[2].decode(Int64.self), orders: try row[3].decode(Int64.self),
                totalSales: ExactDecimal(units: try row[4].decode(Int64.self)))
        }
    }

    public func salesOverTime(_ filter: AnalyticsFilter, grain: SalesGrain) async throws -> [PeriodSales] {
        let scope = LineScope(filter)
        let unit = switch grain {
        case .daily: "day"
        case .weekly: "week"
        case .monthly: "month"
        }
        // Per period and order first, so that an order counts once per period.
        let rows = try await analyticsRows("""
            WITH per_order AS (
                SELECT (date_trunc('\(unit)', l.ordered_at AT TIME ZONE 'UTC'))::date - DATE '1970-01-01' AS period,
                    l.currency, l.order_seq, sum(l.quantity) AS units, sum(l.quantity * l.unit_price_units) AS sales
                FROM order_lines l WHERE \(scope.sql)
                GROUP BY 1, 2, 3)
            SELECT period::bigint, currency, sum(units)::bigint, count(*), sum(sales)::bigint
            FROM per_order GROUP BY period, currency
            """, scope.binds)
        return try rows.map { row in
            PeriodSales(
                periodStartDay: try row[0].decode(Int64.self), currency: try row[1].decode(String.self),
                unitsSold: try row[2].decode(Int64.self), orders: try row[3].decode(Int64.self),
                totalSales: ExactDecimal(units: try row[4].decode(Int64.self)))
        }
    }

    public func topProducts(_ filter: AnalyticsFilter, limit: Int) async throws -> [ProductSales] {
        var scope = LineScope(filter)
        let limitParameter = scope.bind(limit)
        let rows = try await analyticsRows("""
            WITH sales AS (
                SELECT o.partner_id, o.partner_name, l.sku, l.currency, sum(l.quantity)::bigint AS units,
                    sum(l.quantity * l.unit_price_units)::bigint AS total
                FROM order_lines l JOIN orders o ON o.seq = l.order_seq
                WHERE \(scope.sql)
                GROUP BY o.partner_id, o.partner_name, l.sku, l.currency),
            ranked AS (
                SELECT *, row_number() OVER (
                    PARTITION BY currency ORDER BY total DESC, units DESC, partner_name COLLATE "C", sku COLLATE "C") AS position
                FROM sales)
            -- Subqueries, not a join: one index lookup per top row (a join hashed the whole catalog).
            SELECT r.partner_name, r.sku, r.currency, r.units, r.total,
                (SELECT p.product_id FROM products p WHERE p.partner_id = r.partner_id AND p.sku = r.sku),
                (SELECT p.product_name FROM products p WHERE p.partner_id = r.partner_id AND p.sku = r.sku)
            FROM ranked r WHERE r.position <= \(limitParameter)
            """, scope.binds)
        return try rows.map { row in
            ProductSales(
                productID: try row[5].decode(String?.self), partnerName: try row[0].decode(String.self),
                sku: try row[1].decode(String.self), productName: try row[6].decode(String?.self),
                currency: try row[2].decode(String.self), unitsSold: try row[3].decode(Int64.self),
                totalSales: ExactDecimal(units: try row[4].decode(Int64.self)))
        }
    }

    public func inventory(_ filter: AnalyticsFilter, lowStockThreshold: Int64) async throws -> [InventoryGroup] {
        var binds = PostgresBindings()
        func bind(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        let threshold = bind(lowStockThreshold)
        var conditions = ["true"]
        if let partnerName = filter.partnerName { conditions.append("partner_name = \(bind(partnerName))") }
        if let from = filter.from { conditions.append("created_at >= \(bind(from))") }
        if let to = filter.to { conditions.append("created_at < \(bind(to))") }
        let rows = try await analyticsRows("""
            SELECT partner_name, category, currency, count(*),
                count(*) FILTER (WHERE status = 'active'),
                count(*) FILTER (WHERE status = 'active' AND availability = 'in_stock'),
                count(*) FILTER (WHERE status = 'active' AND availability = 'out_of_stock'),
                count(*) FILTER (WHERE status = 'active' AND quantity BETWEEN 1 AND \(threshold)),
                coalesce(sum(price_units) FILTER (WHERE status = 'active'), 0)::bigint,
                coalesce(sum(price_units * coalesce(quantity, 0)) FILTER (WHERE status = 'active'), 0)::bigint
            FROM products WHERE \(conditions.joined(separator: " AND "))
            GROUP BY partner_name, category, currency
            """, binds)
        return try rows.map { row in
            InventoryGroup(
                partnerName: try row[0].decode(String.self), category: try row[1].decode(String?.self),
                currency: try row[2].decode(String.self), products: try row[3].decode(Int64.self),
                active: try row[4].decode(Int64.self), inStock: try row[5].decode(Int64.self),
                outOfStock: try row[6].decode(Int64.self), lowStock: try row[7].decode(Int64.self),
                activePriceTotal: ExactDecimal(units: try row[8].decode(Int64.self)),
                inventoryValue: ExactDecimal(units: try row[9].decode(Int64.self)))
        }
    }
}
