import CatalogCore
import Foundation
import Logging
import PostgresNIO

/// `/analytics/*` from the sales rollup (`SalesRollup`), with the order lines for partial days; every
/// answer reads one snapshot. The `…FromLines` methods are the answers straight from the order lines.
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

    public func topProducts(_ filter: AnalyticsFilter, limit: Int) async throws -> [ProductSales] {
        guard limit > 0 else { return [] }
        let tuning = TopProductsTuning.current
        let logger = self.logger
        return try await analyticsSnapshot { connection in
            guard filter.from == nil && filter.to == nil || RollupPlan(filter) != nil else {
                return try await Self.lineTopProducts(filter, limit: limit, currencies: nil, connection, logger)
            }
            var found: [SkuSales] = []
            var fromLines: [String] = []
            let counts = try await Self.lineCounts(filter, connection, logger)
            for (currency, count) in counts.sorted(by: { $0.key < $1.key }) where count.inRange > 0 {
                switch TopProductsStrategy.choose(filter, linesInRange: count.inRange, linesInAllTime: count.allTime, tuning) {
                case .allTime:
                    found += try await Self.rankedSkuSales(currency, filter.partnerName, after: nil, limit: limit, connection, logger)
                case .lines:
                    fromLines.append(currency)
                case .ranked:
                    var search = TopSkuSearch(limit: limit, tuning)
                    search: while true {
                        let page = try await Self.rankedSkuSales(
                            currency, filter.partnerName, after: search.cursor, limit: search.pageSize, connection, logger)
                        let inRange = try await Self.skuSalesInRange(page.map(\.key), currency, filter, connection, logger)
                        switch search.add(page: page, inRange: inRange) {
                        case .done:
                            found += search.best
                            break search
                        case .gaveUp:
                            fromLines.append(currency)
                            break search
                        case .more:
                            // Once the best are known after the first page, the SKUs left to read are those that
                            // sold at least as much in all: too many of them, and the lines are quicker.
                            if search.examined == search.pageSize, let weakest = search.weakestSales,
                               try await Self.skusSellingAtLeast(weakest, currency, filter.partnerName, upTo: tuning.maxCandidates,
                                                                 connection, logger) >= tuning.maxCandidates {
                                fromLines.append(currency)
                                break search
                            }
                        }
                    }
                }
            }
            var results = try await Self.productSales(found, connection, logger)
            if !fromLines.isEmpty {
                let all = fromLines.count == counts.count
                results += try await Self.lineTopProducts(filter, limit: limit, currencies: all ? nil : fromLines, connection, logger)
            }
            return results
        }
    }

    // MARK: - Straight from the order lines

    public func salesByPartnerFromLines(_ filter: AnalyticsFilter) async throws -> [PartnerSales] {
        let logger = self.logger
        return try await analyticsSnapshot { connection in try await Self.lineSalesByPartner(filter, connection, logger) }
    }

    public func salesOverTimeFromLines(_ filter: AnalyticsFilter, grain: SalesGrain) async throws -> [PeriodSales] {
        let logger = self.logger
        return try await analyticsSnapshot { connection in try await Self.lineSalesOverTime(filter, grain, connection, logger) }
    }

    public func topProductsFromLines(_ filter: AnalyticsFilter, limit: Int) async throws -> [ProductSales] {
        let logger = self.logger
        return try await analyticsSnapshot { connection in
            try await Self.lineTopProducts(filter, limit: limit, currencies: nil, connection, logger)
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
        var binds = PostgresBindings()
        var conditions = ["true"]
        if let from = filter.from {
            binds.append(from)
            conditions.append("l.ordered_at >= $\(binds.count)")
        }
        if let to = filter.to {
            binds.append(to)
            conditions.append("l.ordered_at < $\(binds.count)")
        }
        if let partnerName = filter.partnerName {
            binds.append(partnerName)
            conditions.append("o.partner_name = $\(binds.count)")
        }
        return try await rows("""
            SELECT s.order_seq, o.partner_name, s.currency, \(utcDay("l.ordered_at"))::bigint AS day
            FROM sales_split_orders s JOIN orders o ON o.seq = s.order_seq
            JOIN order_lines l ON l.order_seq = s.order_seq AND l.currency = s.currency
            WHERE \(conditions.joined(separator: " AND "))
            GROUP BY 1, 2, 3, 4
            """, binds, connection, logger).map { row in
            SplitOrderDay(
                orderSeq: try row[0].decode(Int64.self), partnerName: try row[1].decode(String.self),
                currency: try row[2].decode(String.self), day: try row[3].decode(Int64.self))
        }
    }

    /// Per currency, the order lines in the filter's range and in all (of the filter's partner).
    static func lineCounts(_ filter: AnalyticsFilter, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> [String: (inRange: Int64, allTime: Int64)]
    {
        let plan = RollupPlan(filter)
        var binds = PostgresBindings()
        var inRange = ["true"]
        if let firstDay = plan?.firstDay {
            binds.append(firstDay)
            inRange.append("day >= $\(binds.count)")
        }
        if let endDay = plan?.endDay {
            binds.append(endDay)
            inRange.append("day < $\(binds.count)")
        }
        var partner = "true"
        if let partnerName = filter.partnerName {
            binds.append(partnerName)
            partner = "partner_name = $\(binds.count)"
        }
        var counts: [String: (inRange: Int64, allTime: Int64)] = [:]
        for row in try await rows("""
            SELECT currency, coalesce(sum(lines) FILTER (WHERE \(inRange.joined(separator: " AND "))), 0)::bigint, sum(lines)::bigint
            FROM sales_daily WHERE \(partner) GROUP BY currency
            """, binds, connection, logger) {
            counts[try row[0].decode(String.self)] = (try row[1].decode(Int64.self), try row[2].decode(Int64.self))
        }
        for edge in plan?.edges ?? [] {
            let scope = LineScope(edge)
            for row in try await rows("""
                SELECT l.currency, count(*) FROM order_lines l WHERE \(scope.sql) GROUP BY l.currency
                """, scope.binds, connection, logger) {
                counts[try row[0].decode(String.self), default: (0, 0)].inRange += try row[1].decode(Int64.self)
            }
        }
        return counts
    }

    /// `sales_by_sku` in rank order (sales, units descending, partner and SKU ascending), after `after`.
    static func rankedSkuSales(
        _ currency: String, _ partnerName: String?, after: SkuSales?, limit: Int, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> [SkuSales] {
        var binds = PostgresBindings()
        func bind(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        var conditions = ["currency = \(bind(currency))", "lines > 0"]
        if let partnerName { conditions.append("partner_name = \(bind(partnerName))") }
        if let after {
            let sales = bind(after.sales), units = bind(after.unitsSold)
            conditions.append("""
                sales <= \(sales) AND (sales < \(sales) OR units < \(units)
                    OR (units = \(units) AND (partner_name, sku) > (\(bind(after.partnerName)), \(bind(after.sku)))))
                """)
        }
        return try await rows("""
            SELECT partner_id, partner_name, sku, currency, lines, units, sales FROM sales_by_sku
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY sales DESC, units DESC, partner_name, sku LIMIT \(bind(limit))
            """, binds, connection, logger).map { row in
            SkuSales(
                partnerID: try row[0].decode(String.self), partnerName: try row[1].decode(String.self),
                sku: try row[2].decode(String.self), currency: try row[3].decode(String.self), lines: try row[4].decode(Int64.self),
                unitsSold: try row[5].decode(Int64.self), sales: try row[6].decode(Int64.self))
        }
    }

    /// How many `sales_by_sku` rows of the currency (and partner) sold at least `sales`, counting up to `limit`.
    static func skusSellingAtLeast(
        _ sales: Int64, _ currency: String, _ partnerName: String?, upTo limit: Int, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(currency)
        binds.append(sales)
        binds.append(limit)
        var partner = ""
        if let partnerName {
            binds.append(partnerName)
            partner = "AND partner_name = $4"
        }
        let rows = try await rows("""
            SELECT count(*) FROM (
                SELECT 1 FROM sales_by_sku WHERE currency = $1 \(partner) AND sales >= $2 AND lines > 0 LIMIT $3) t
            """, binds, connection, logger)
        return Int(try rows.first?[0].decode(Int64.self) ?? 0)
    }

    /// The figures in the filter's range of these SKUs, in `currency`, from their order lines.
    static func skuSalesInRange(
        _ keys: [SkuKey], _ currency: String, _ filter: AnalyticsFilter, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> [SkuKey: SkuSales] {
        guard !keys.isEmpty else { return [:] }
        var binds = PostgresBindings()
        binds.append(keys.map(\.partnerID))
        binds.append(keys.map(\.sku))
        binds.append(currency)
        var conditions = ["true"]
        if let from = filter.from {
            binds.append(from)
            conditions.append("l.ordered_at >= $\(binds.count)")
        }
        if let to = filter.to {
            binds.append(to)
            conditions.append("l.ordered_at < $\(binds.count)")
        }
        var result: [SkuKey: SkuSales] = [:]
        for row in try await rows("""
            SELECT o.partner_id, o.partner_name, l.sku, count(*), sum(l.quantity)::bigint, sum(l.quantity * l.unit_price_units)::bigint
            FROM unnest($1::text[], $2::text[]) AS k(partner_id, sku)
            JOIN order_lines l ON l.sku = k.sku COLLATE "C" AND l.currency = $3
            JOIN orders o ON o.seq = l.order_seq AND o.partner_id = k.partner_id COLLATE "C"
            WHERE \(conditions.joined(separator: " AND "))
            GROUP BY o.partner_id, o.partner_name, l.sku
            """, binds, connection, logger) {
            let figures = SkuSales(
                partnerID: try row[0].decode(String.self), partnerName: try row[1].decode(String.self),
                sku: try row[2].decode(String.self), currency: currency, lines: try row[3].decode(Int64.self),
                unitsSold: try row[4].decode(Int64.self), sales: try row[5].decode(Int64.self))
            result[figures.key] = figures
        }
        return result
    }

    /// Top SKUs with the catalog's product ID and name, where the catalog has the SKU.
    static func productSales(_ skus: [SkuSales], _ connection: PostgresConnection, _ logger: Logger) async throws -> [ProductSales] {
        guard !skus.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(skus.map(\.partnerID))
        binds.append(skus.map(\.sku))
        var products: [SkuKey: (String, String)] = [:]
        for row in try await rows("""
            SELECT p.partner_id, p.sku, p.product_id, p.product_name
            FROM unnest($1::text[], $2::text[]) AS k(partner_id, sku)
            JOIN products p ON p.partner_id = k.partner_id COLLATE "C" AND p.sku = k.sku COLLATE "C"
            """, binds, connection, logger) {
            products[SkuKey(partnerID: try row[0].decode(String.self), sku: try row[1].decode(String.self))] =
                (try row[2].decode(String.self), try row[3].decode(String.self))
        }
        return skus.map { sku in
            let product = products[sku.key]
            return ProductSales(
                productID: product?.0, partnerName: sku.partnerName, sku: sku.sku, productName: product?.1, currency: sku.currency,
                unitsSold: sku.unitsSold, totalSales: ExactDecimal(units: sku.sales))
        }
    }
}
