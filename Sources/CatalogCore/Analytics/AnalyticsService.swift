/// `/analytics/*` (§Orders and analytics): admins and analysts see every partner, a partner key its own
/// figures only. Empty periods, revenue shares and the order of results are decided here, the same for
/// every store.
public struct AnalyticsService: Sendable {
    let queries: any AnalyticsQueries

    public init(queries: any AnalyticsQueries) {
        self.queries = queries
    }

    /// The most periods one sales-over-time answer holds.
    public static let maxPeriods = 10_000

    public func salesByPartner(_ filter: AnalyticsFilter, by principal: Principal) async throws -> [PartnerSales] {
        guard let filter = try scope(filter, principal) else { return [] }
        return try await queries.salesByPartner(filter).sorted { a, b in
            a.partnerName != b.partnerName ? a.partnerName.precedesInBytes(b.partnerName) : a.currency < b.currency
        }
    }

    public func salesOverTime(_ filter: AnalyticsFilter, grain: SalesGrain, by principal: Principal) async throws -> [PeriodSales] {
        guard let filter = try scope(filter, principal) else { return [] }
        let firstDay = filter.from.map { SalesPeriods.day(ofMicroseconds: UTCMicroseconds.of($0)) }
        // The last day that is still before `to` (the range is half-open).
        let lastDay = filter.to.map { SalesPeriods.day(ofMicroseconds: UTCMicroseconds.of($0) - 1) }
        if let firstDay, let lastDay {
            _ = try Self.periods(from: firstDay, through: lastDay, grain)
        }
        let rows = try await queries.salesOverTime(filter, grain: grain)
        let currencies = Set(rows.map(\.currency)).sorted()
        guard !currencies.isEmpty else { return [] }
        let periods = try Self.periods(
            from: firstDay ?? rows.map(\.periodStartDay).min()!, through: lastDay ?? rows.map(\.periodStartDay).max()!, grain)
        var byKey: [String: PeriodSales] = [:]
        for row in rows { byKey["\(row.periodStartDay)|\(row.currency)"] = row }
        return periods.flatMap { day in
            currencies.map { currency in
                byKey["\(day)|\(currency)"]
                    ?? PeriodSales(periodStartDay: day, currency: currency, unitsSold: 0, orders: 0, totalSales: ExactDecimal(units: 0))
            }
        }
    }

    /// The first days of the periods that hold any of the days `first … last`.
    static func periods(from first: Int64, through last: Int64, _ grain: SalesGrain) throws -> [Int64] {
        var periods: [Int64] = []
        var period = SalesPeriods.start(ofDay: first, grain)
        while period <= last {
            guard periods.count < maxPeriods else {
                throw CatalogError.validation(
                    "The range holds more than \(maxPeriods) \(grain.rawValue) periods; narrow from/to or use a coarser grain.",
                    parameter: "from")
            }
            periods.append(period)
            period = SalesPeriods.next(after: period, grain)
        }
        return periods
    }

    public func revenueShare(_ filter: AnalyticsFilter, by principal: Principal) async throws -> [RevenueShare] {
        let sales = try await salesByPartner(filter, by: principal)
        var shares: [RevenueShare] = []
        for currency in Set(sales.map(\.currency)).sorted() {
            let group = sales.filter { $0.currency == currency }
            let points = Self.largestRemainder(group.map(\.totalSales.units), total: 10_000)
            for (sale, share) in zip(group, points) {
                shares.append(RevenueShare(
                    partnerName: sale.partnerName, currency: currency, totalRevenue: sale.totalSales, revenueBasisPoints: share))
            }
        }
        return shares
    }

    public func topProducts(_ filter: AnalyticsFilter, limit: Int, by principal: Principal) async throws -> [ProductSales] {
        guard let filter = try scope(filter, principal) else { return [] }
        return try await queries.topProducts(filter, limit: limit).sorted { a, b in
            if a.currency != b.currency { return a.currency < b.currency }
            if a.totalSales != b.totalSales { return a.totalSales > b.totalSales }
            if a.unitsSold != b.unitsSold { return a.unitsSold > b.unitsSold }
            return a.partnerName != b.partnerName ? a.partnerName.precedesInBytes(b.partnerName) : a.sku.precedesInBytes(b.sku)
        }
    }

    public func inventory(_ filter: AnalyticsFilter, lowStockThreshold: Int64, by principal: Principal) async throws -> [InventoryGroup] {
        guard let filter = try scope(filter, principal) else { return [] }
        return try await queries.inventory(filter, lowStockThreshold: lowStockThreshold).sorted { a, b in
            if a.partnerName != b.partnerName { return a.partnerName.precedesInBytes(b.partnerName) }
            if a.category != b.category {
                guard let left = a.category else { return true }
                guard let right = b.category else { return false }
                return left.precedesInBytes(right)
            }
            return a.currency < b.currency
        }
    }

    /// The filter a caller may use, or nil when a partner key asks about another partner (nothing to see).
    func scope(_ filter: AnalyticsFilter, _ principal: Principal) throws -> AnalyticsFilter? {
        try principal.require(.partner, .analyst, .admin)
        if let from = filter.from, let to = filter.to, from > to {
            throw CatalogError.validation("from must not be after to.", parameter: "from")
        }
        var filter = filter
        if principal.role == .partner {
            guard let own = principal.partner?.partnerName else { return nil }
            if let asked = filter.partnerName, asked != own { return nil }
            filter.partnerName = own
        }
        return filter
    }

    /// Splits `total` in proportion to `amounts` with whole numbers that add up to `total` exactly: each
    /// gets the floor of its share, and the remainder goes one by one to the largest fractional parts
    /// (earlier entries first on ties). All-zero amounts share equally.
    static func largestRemainder(_ amounts: [Int64], total: Int64) -> [Int64] {
        guard !amounts.isEmpty else { return [] }
        let weights = amounts.allSatisfy { $0 == 0 } ? amounts.map { _ in Int64(1) } : amounts
        // Exact in 128 bits: amounts are sums of Int64 units, total is 10,000.
        let sum = weights.reduce(Int128(0)) { $0 + Int128($1) }
        var shares: [Int64] = []
        var remainders: [(Int128, Int)] = []
        for (index, weight) in weights.enumerated() {
            let scaled = Int128(weight) * Int128(total)
            shares.append(Int64(scaled / sum))
            remainders.append((scaled % sum, index))
        }
        var left = total - shares.reduce(0, +)
        for (_, index) in remainders.sorted(by: { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }) where left > 0 {
            shares[index] += 1
            left -= 1
        }
        return shares
    }
}

extension String {
    /// Byte-wise (UTF-8) ordering, the order the stores sort text in.
    func precedesInBytes(_ other: String) -> Bool { utf8.lexicographicallyPrecedes(other.utf8) }
}
