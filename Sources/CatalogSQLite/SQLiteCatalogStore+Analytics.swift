import CatalogCore
import Foundation
import GRDB

/// `/analytics/*` from the sales rollup (`SalesRollup`), with the order lines for partial days; every
/// answer reads one snapshot (one read transaction). The `…FromLines` methods are the answers straight
/// from the order lines.
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

    public func topProducts(_ filter: AnalyticsFilter, limit: Int) async throws -> [ProductSales] {
        guard limit > 0 else { return [] }
        let tuning = TopProductsTuning.current
        return try await read { db in
            guard filter.from == nil && filter.to == nil || RollupPlan(filter) != nil else {
                return try Self.lineTopProducts(filter, limit: limit, currencies: nil, db)
            }
            var found: [SkuSales] = []
            var fromLines: [String] = []
            let counts = try Self.lineCounts(filter, db)
            for (currency, count) in counts.sorted(by: { $0.key < $1.key }) where count.inRange > 0 {
                switch TopProductsStrategy.choose(filter, linesInRange: count.inRange, linesInAllTime: count.allTime, tuning) {
                case .allTime:
                    found += try Self.rankedSkuSales(currency, filter.partnerName, after: nil, limit: limit, db)
                case .lines:
                    fromLines.append(currency)
                case .ranked:
                    var search = TopSkuSearch(limit: limit, tuning)
                    search: while true {
                        let page = try Self.rankedSkuSales(currency, filter.partnerName, after: search.cursor, limit: search.pageSize, db)
                        switch search.add(page: page, inRange: try Self.skuSalesInRange(page.map(\.key), currency, filter, db)) {
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
                               try Self.skusSellingAtLeast(weakest, currency, filter.partnerName, upTo: tuning.maxCandidates, db)
                                >= tuning.maxCandidates {
                                fromLines.append(currency)
                                break search
                            }
                        }
                    }
                }
            }
            var results = try Self.productSales(found, db)
            if !fromLines.isEmpty {
                results += try Self.lineTopProducts(filter, limit: limit, currencies: fromLines.count == counts.count ? nil : fromLines, db)
            }
            return results
        }
    }

    // MARK: - Straight from the order lines

    public func salesByPartnerFromLines(_ filter: AnalyticsFilter) async throws -> [PartnerSales] {
        try await read { db in try Self.lineSalesByPartner(filter, db) }
    }

    public func salesOverTimeFromLines(_ filter: AnalyticsFilter, grain: SalesGrain) async throws -> [PeriodSales] {
        try await read { db in try Self.lineSalesOverTime(filter, grain, db) }
    }

    public func topProductsFromLines(_ filter: AnalyticsFilter, limit: Int) async throws -> [ProductSales] {
        try await read { db in try Self.lineTopProducts(filter, limit: limit, currencies: nil, db) }
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
            conditions.append("o.partner_name = ?")
            arguments.append(partnerName)
        }
        // CROSS JOIN keeps the join order: from the (few) split orders to their lines, never from the
        // range's lines to the split orders.
        return try Row.fetchAll(db, sql: """
            SELECT s.order_seq, o.partner_name, s.currency, \(utcDay("l.ordered_at")) AS day
            FROM sales_split_orders s CROSS JOIN orders o ON o.seq = s.order_seq
            CROSS JOIN order_lines l ON l.order_seq = s.order_seq AND l.currency = s.currency
            WHERE \(conditions.joined(separator: " AND "))
            GROUP BY 1, 2, 3, 4
            """, arguments: StatementArguments(arguments)).map { row in
            SplitOrderDay(orderSeq: row[0], partnerName: row[1], currency: row[2], day: row[3])
        }
    }

    /// Per currency, the order lines in the filter's range and in all (of the filter's partner).
    static func lineCounts(_ filter: AnalyticsFilter, _ db: Database) throws -> [String: (inRange: Int64, allTime: Int64)] {
        let plan = RollupPlan(filter)
        let (inRange, rangeArguments) = dayConditions(plan, partnerName: nil)
        var partner = "1 = 1"
        var arguments = rangeArguments
        if let partnerName = filter.partnerName {
            partner = "partner_name = ?"
            arguments.append(partnerName)
        }
        var counts: [String: (inRange: Int64, allTime: Int64)] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT currency, coalesce(sum(lines) FILTER (WHERE \(inRange)), 0), sum(lines)
            FROM sales_daily WHERE \(partner) GROUP BY currency
            """, arguments: StatementArguments(arguments)) {
            counts[row[0]] = (row[1], row[2])
        }
        for edge in plan?.edges ?? [] {
            let (conditions, arguments) = lineConditions(edge)
            for row in try Row.fetchAll(db, sql: """
                SELECT l.currency, count(*) FROM order_lines l WHERE \(conditions) GROUP BY l.currency
                """, arguments: StatementArguments(arguments)) {
                counts[row[0], default: (0, 0)].inRange += row[1] as Int64
            }
        }
        return counts
    }

    static func skuSales(_ row: Row) -> SkuSales {
        SkuSales(partnerID: row[0], partnerName: row[1], sku: row[2], currency: row[3], lines: row[4], unitsSold: row[5], sales: row[6])
    }

    /// `sales_by_sku` in rank order (sales, units descending, partner and SKU ascending), after `after`.
    static func rankedSkuSales(_ currency: String, _ partnerName: String?, after: SkuSales?, limit: Int, _ db: Database) throws -> [SkuSales] {
        var conditions = ["currency = ?", "lines > 0"]
        var arguments: [(any DatabaseValueConvertible)?] = [currency]
        if let partnerName {
            conditions.append("partner_name = ?")
            arguments.append(partnerName)
        }
        if let after {
            conditions.append("sales <= ? AND (sales < ? OR units < ? OR (units = ? AND (partner_name, sku) > (?, ?)))")
            arguments += [after.sales, after.sales, after.unitsSold, after.unitsSold, after.partnerName, after.sku]
        }
        return try Row.fetchAll(db, sql: """
            SELECT partner_id, partner_name, sku, currency, lines, units, sales FROM sales_by_sku
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY sales DESC, units DESC, partner_name, sku LIMIT ?
            """, arguments: StatementArguments(arguments + [limit])).map(skuSales)
    }

    /// How many `sales_by_sku` rows of the currency (and partner) sold at least `sales`, counting up to `limit`.
    static func skusSellingAtLeast(_ sales: Int64, _ currency: String, _ partnerName: String?, upTo limit: Int, _ db: Database) throws -> Int {
        var arguments: [(any DatabaseValueConvertible)?] = [currency, sales]
        var partner = ""
        if let partnerName {
            partner = "AND partner_name = ?"
            arguments.append(partnerName)
        }
        return try Int.fetchOne(db, sql: """
            SELECT count(*) FROM (SELECT 1 FROM sales_by_sku WHERE currency = ? AND sales >= ? \(partner) AND lines > 0 LIMIT ?)
            """, arguments: StatementArguments(arguments + [limit])) ?? 0
    }

    /// The figures in the filter's range of these SKUs, in `currency`, from their order lines.
    static func skuSalesInRange(_ keys: [SkuKey], _ currency: String, _ filter: AnalyticsFilter, _ db: Database) throws -> [SkuKey: SkuSales] {
        guard !keys.isEmpty else { return [:] }
        var arguments: [(any DatabaseValueConvertible)?] = keys.flatMap { [$0.partnerID, $0.sku] as [(any DatabaseValueConvertible)?] }
        var conditions = ["l.currency = ?"]
        arguments.append(currency)
        if let from = filter.from {
            conditions.append("l.ordered_at >= ?")
            arguments.append(storedBound(from))
        }
        if let to = filter.to {
            conditions.append("l.ordered_at < ?")
            arguments.append(storedBound(to))
        }
        let values = Array(repeating: "(?, ?)", count: keys.count).joined(separator: ", ")
        var result: [SkuKey: SkuSales] = [:]
        // CROSS JOIN keeps the join order: each SKU's lines by index, then their order by key.
        for row in try Row.fetchAll(db, sql: """
            WITH k(partner_id, sku) AS (VALUES \(values))
            SELECT o.partner_id, o.partner_name, l.sku, l.currency, count(*), sum(l.quantity), sum(l.quantity * l.unit_price_units)
            FROM k CROSS JOIN order_lines l ON l.sku = k.sku CROSS JOIN orders o ON o.seq = l.order_seq AND o.partner_id = k.partner_id
            WHERE \(conditions.joined(separator: " AND "))
            GROUP BY o.partner_id, l.sku
            """, arguments: StatementArguments(arguments)) {
            let figures = skuSales(row)
            result[figures.key] = figures
        }
        return result
    }

    /// Top SKUs with the catalog's product ID and name, where the catalog has the SKU.
    static func productSales(_ skus: [SkuSales], _ db: Database) throws -> [ProductSales] {
        guard !skus.isEmpty else { return [] }
        let values = Array(repeating: "(?, ?)", count: skus.count).joined(separator: ", ")
        var products: [SkuKey: (String, String)] = [:]
        for row in try Row.fetchAll(db, sql: """
            WITH k(partner_id, sku) AS (VALUES \(values))
            SELECT p.partner_id, p.sku, p.product_id, p.product_name
            FROM k CROSS JOIN products p ON p.partner_id = k.partner_id AND p.sku = k.sku
            """, arguments: StatementArguments(skus.flatMap { [$0.partnerID, $0.sku] })) {
            products[SkuKey(partnerID: row[0], sku: row[1])] = (row[2], row[3])
        }
        return skus.map { sku in
            let product = products[sku.key]
            return ProductSales(
                productID: product?.0, partnerName: sku.partnerName, sku: sku.sku, productName: product?.1, currency: sku.currency,
                unitsSold: sku.unitsSold, totalSales: ExactDecimal(units: sku.sales))
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
