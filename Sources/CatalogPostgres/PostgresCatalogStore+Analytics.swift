import CatalogCore
import Foundation
import Logging
import PostgresNIO

/// `/analytics/*` from the sales rollup (`SalesRollup`), with the order lines for partial days; every
/// answer reads one snapshot.
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

    /// Bind parameters and the condition on `sales_daily` rows: whole days in `[firstDay, endDay)`, one partner.
    struct DayScope {
        var binds = PostgresBindings()
        var conditions = ["true"]

        init(_ plan: RollupPlan?, partnerName: String?) {
            if let firstDay = plan?.firstDay {
                binds.append(firstDay)
                conditions.append("day >= $\(binds.count)")
            }
            if let endDay = plan?.endDay {
                binds.append(endDay)
                conditions.append("day < $\(binds.count)")
            }
            if let partnerName {
                binds.append(partnerName)
                conditions.append("partner_name = $\(binds.count)")
            }
        }

        var sql: String { conditions.joined(separator: " AND ") }
    }

    /// The UTC day of `column` (a timestamptz) in days since 1970-01-01.
    static func utcDay(_ column: String) -> String { "((\(column) AT TIME ZONE 'UTC')::date - DATE '1970-01-01')" }

    /// Runs `body` in one read-only REPEATABLE READ transaction, so that the rollup, the lines of the edges
    /// and the split orders all show the same orders. Without JIT compilation: the planner's estimates for
    /// the per-row product lookups of top-products cross its threshold, and compiling took seconds where
    /// the query itself takes tens of milliseconds. With room to sort and hash the lines of long ranges in
    /// memory.
    func analyticsSnapshot<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection(.upTo(max(requestTimeout, .seconds(30)))) { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: self.logger).drain()
            do {
                try await connection.query("SET LOCAL jit = off", logger: self.logger).drain()
                try await connection.query("SET LOCAL work_mem = '32MB'", logger: self.logger).drain()
                let value = try await body(connection)
                try await connection.query("COMMIT", logger: self.logger).drain()
                return value
            } catch {
                try? await connection.query("ROLLBACK", logger: self.logger).drain()
                throw error
            }
        }
    }

    static func rows(_ sql: String, _ binds: PostgresBindings, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> [PostgresRandomAccessRow]
    {
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).rows()
    }

    // MARK: - The endpoints

    public func salesByPartner(_ filter: AnalyticsFilter) async throws -> [PartnerSales] {
        let logger = self.logger
        return try await analyticsSnapshot { connection in
            guard let plan = RollupPlan(filter) else { return try await Self.lineSalesByPartner(filter, connection, logger) }
            let days = DayScope(plan, partnerName: filter.partnerName)
            let whole = try await Self.rows("""
                SELECT partner_name, currency, sum(units)::bigint, sum(orders)::bigint, sum(sales)::bigint
                FROM sales_daily WHERE \(days.sql)
                GROUP BY partner_name, currency HAVING sum(lines) > 0
                """, days.binds, connection, logger).map(Self.partnerSales)
            var edges: [[PartnerSales]] = []
            for edge in plan.edges { edges.append(try await Self.lineSalesByPartner(edge, connection, logger)) }
            let split = try await Self.splitOrderDays(filter, connection, logger)
            return SalesRollup.salesByPartner(whole: whole, edges: edges, splitDays: split)
        }
    }

    public func salesOverTime(_ filter: AnalyticsFilter, grain: SalesGrain) async throws -> [PeriodSales] {
        let logger = self.logger
        return try await analyticsSnapshot { connection in
            guard let plan = RollupPlan(filter) else { return try await Self.lineSalesOverTime(filter, grain, connection, logger) }
            let days = DayScope(plan, partnerName: filter.partnerName)
            let whole = try await Self.rows("""
                SELECT day::bigint, currency, sum(units)::bigint, sum(orders)::bigint, sum(sales)::bigint
                FROM sales_daily WHERE \(days.sql)
                GROUP BY day, currency HAVING sum(lines) > 0
                """, days.binds, connection, logger).map(Self.periodSales)
            var edges: [[PeriodSales]] = []
            for edge in plan.edges { edges.append(try await Self.lineSalesOverTime(edge, .daily, connection, logger)) }
            let split = try await Self.splitOrderDays(filter, connection, logger)
            return SalesRollup.salesOverTime(whole: whole, edges: edges, splitDays: split, grain: grain)
        }
    }

    static func partnerSales(_ row: PostgresRandomAccessRow) throws -> PartnerSales {
        PartnerSales(
            partnerName: try row[0].decode(String.self), currency: try row[1].decode(String.self),
            unitsSold: try row[2].decode(Int64.self), orders: try row[3].decode(Int64.self),
            totalSales: ExactDecimal(units: try row[4].decode(Int64.self)))
    }

    static func periodSales(_ row: PostgresRandomAccessRow) throws -> PeriodSales {
        PeriodSales(
            periodStartDay: try row[0].decode(Int64.self), currency: try row[1].decode(String.self),
            unitsSold: try row[2].decode(Int64.self), orders: try row[3].decode(Int64.self),
            totalSales: ExactDecimal(units: try row[4].decode(Int64.self)))
    }

    static func lineSalesByPartner(_ filter: AnalyticsFilter, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> [PartnerSales]
    {
        let scope = LineScope(filter)
        // Lines are summed per order first, so that the join to orders runs once per order, not per line.
        return try await rows("""
            WITH per_order AS (
                SELECT l.order_seq, l.currency, sum(l.quantity) AS units, sum(l.quantity * l.unit_price_units) AS sales
                FROM order_lines l WHERE \(scope.sql)
                GROUP BY l.order_seq, l.currency)
            SELECT o.partner_name, p.currency, sum(p.units)::bigint, count(*), sum(p.sales)::bigint
            FROM per_order p JOIN orders o ON o.seq = p.order_seq
            GROUP BY o.partner_name, p.currency
            """, scope.binds, connection, logger).map(partnerSales)
    }

    static func lineSalesOverTime(_ filter: AnalyticsFilter, _ grain: SalesGrain, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> [PeriodSales]
    {
        let scope = LineScope(filter)
        let unit = switch grain {
        case .daily: "day"
        case .weekly: "week"
        case .monthly: "month"
        }
        // Per period and order first, so that an order counts once per period.
        return try await rows("""
            WITH per_order AS (
                SELECT (date_trunc('\(unit)', l.ordered_at AT TIME ZONE 'UTC'))::date - DATE '1970-01-01' AS period,
                    l.currency, l.order_seq, sum(l.quantity) AS units, sum(l.quantity * l.unit_price_units) AS sales
                FROM order_lines l WHERE \(scope.sql)
                GROUP BY 1, 2, 3)
            SELECT period::bigint, currency, sum(units)::bigint, count(*), sum(sales)::bigint
            FROM per_order GROUP BY period, currency
            """, scope.binds, connection, logger).map(periodSales)
    }

    /// `currencies`: only these (nil: all).
    static func lineTopProducts(
        _ filter: AnalyticsFilter, limit: Int, currencies: [String]?, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> [ProductSales] {
        var scope = LineScope(filter)
        if let currencies { scope.conditions.append("l.currency = ANY(\(scope.bind(currencies)))") }
        let limitParameter = scope.bind(limit)
        return try await rows("""
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
            """, scope.binds, connection, logger).map { row in
            ProductSales(
                productID: try row[5].decode(String?.self), partnerName: try row[0].decode(String.self),
                sku: try row[1].decode(String.self), productName: try row[6].decode(String?.self),
                currency: try row[2].decode(String.self), unitsSold: try row[3].decode(Int64.self),
                totalSales: ExactDecimal(units: try row[4].decode(Int64.self)))
        }
    }

    // MARK: - Reading the rollup

    /// The days with lines inside the filter's range of each split order (one with lines in one currency on
    /// more than one UTC day).
    static func splitOrderDays(_ filter: AnalyticsFilter, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> [SplitOrderDay]
    {
        // The partner on the joined order, not through LineScope's subquery.
        var scope = LineScope(AnalyticsFilter(from: filter.from, to: filter.to))
        if let partnerName = filter.partnerName { scope.conditions.append("o.partner_name = \(scope.bind(partnerName))") }
        return try await rows("""
            SELECT s.order_seq, o.partner_name, s.currency, \(utcDay("l.ordered_at"))::bigint AS day
            FROM sales_split_orders s JOIN orders o ON o.seq = s.order_seq
            JOIN order_lines l ON l.order_seq = s.order_seq AND l.currency = s.currency
            WHERE \(scope.sql)
            GROUP BY 1, 2, 3, 4
            """, scope.binds, connection, logger).map { row in
            SplitOrderDay(
                orderSeq: try row[0].decode(Int64.self), partnerName: try row[1].decode(String.self),
                currency: try row[2].decode(String.self), day: try row[3].decode(Int64.self))
        }
    }
}
