/// Everything the analysts' page shows for one scope, from the use cases behind `/analytics/*`: the
/// same figures the API answers for the same parameters.
public struct DashboardFigures: Sendable {
    public var filter: AnalyticsFilter
    public var grain: SalesGrain
    public var topProductsLimit: Int
    public var lowStockThreshold: Int64
    public var salesOverTime: [PeriodSales]
    public var salesByPartner: [PartnerSales]
    public var revenueShare: [RevenueShare]
    public var topProducts: [ProductSales]
    /// Per top product (same order), its units in each period of `periods`.
    public var topProductUnits: [[Int64]]
    public var inventory: [InventoryGroup]

    /// The first days of the sales periods, in order: those of `salesOverTime`.
    public var periods: [Int64] {
        var seen = Set<Int64>()
        return salesOverTime.map(\.periodStartDay).filter { seen.insert($0).inserted }
    }
}

/// Gathers `DashboardFigures` for a caller, scoped as `/analytics/*` scopes it.
public struct DashboardQueries: Sendable {
    let analytics: AnalyticsService
    let units: any SkuUnitsQueries

    /// The API's defaults: `/analytics/top-products` and `/analytics/inventory` without parameters.
    public static let topProductsLimit = 10
    public static let lowStockThreshold: Int64 = 5

    public init(analytics: AnalyticsService, units: any SkuUnitsQueries) {
        self.analytics = analytics
        self.units = units
    }

    public func figures(_ filter: AnalyticsFilter, grain: SalesGrain, by principal: Principal) async throws -> DashboardFigures {
        async let overTime = analytics.salesOverTime(filter, grain: grain, by: principal)
        async let byPartner = analytics.salesByPartner(filter, by: principal)
        async let share = analytics.revenueShare(filter, by: principal)
        async let top = analytics.topProducts(filter, limit: Self.topProductsLimit, by: principal)
        async let inventory = analytics.inventory(filter, lowStockThreshold: Self.lowStockThreshold, by: principal)
        var figures = DashboardFigures(
            filter: filter, grain: grain, topProductsLimit: Self.topProductsLimit, lowStockThreshold: Self.lowStockThreshold,
            salesOverTime: try await overTime, salesByPartner: try await byPartner, revenueShare: try await share,
            topProducts: try await top, topProductUnits: [], inventory: try await inventory)
        figures.topProductUnits = try await unitsPerPeriod(figures, by: principal)
        return figures
    }

    /// Each top product's units per period of the sales chart (zero where it sold nothing).
    func unitsPerPeriod(_ figures: DashboardFigures, by principal: Principal) async throws -> [[Int64]] {
        let keys = figures.topProducts.map { SkuSeriesKey(partnerName: $0.partnerName, sku: $0.sku, currency: $0.currency) }
        let periods = figures.periods
        guard !keys.isEmpty, !periods.isEmpty, let filter = try analytics.scope(figures.filter, principal) else {
            return keys.map { _ in periods.map { _ in 0 } }
        }
        let index = Dictionary(uniqueKeysWithValues: periods.enumerated().map { ($1, $0) })
        var series: [SkuSeriesKey: [Int64]] = [:]
        for row in try await units.dailyUnits(filter, of: Array(Set(keys))) {
            guard let position = index[SalesPeriods.start(ofDay: row.day, figures.grain)] else { continue }
            series[row.key, default: periods.map { _ in 0 }][position] += row.unitsSold
        }
        return keys.map { series[$0] ?? periods.map { _ in 0 } }
    }
}
