/// One SKU of one partner in one currency, as top-products names it.
public struct SkuSeriesKey: Sendable, Hashable {
    public var partnerName: String
    public var sku: String
    public var currency: String

    public init(partnerName: String, sku: String, currency: String) {
        self.partnerName = partnerName
        self.sku = sku
        self.currency = currency
    }
}

/// Units a SKU sold on one UTC day (in days since 1970-01-01).
public struct SkuDayUnits: Sendable, Equatable {
    public var key: SkuSeriesKey
    public var day: Int64
    public var unitsSold: Int64

    public init(key: SkuSeriesKey, day: Int64, unitsSold: Int64) {
        self.key = key
        self.day = day
        self.unitsSold = unitsSold
    }
}

/// The units of a few SKUs day by day, for the dashboard's sparklines.
public protocol SkuUnitsQueries: Sendable {
    /// Only the days with sales, in any order, of the order lines in `filter`'s range (its partner is
    /// each key's own).
    func dailyUnits(_ filter: AnalyticsFilter, of keys: [SkuSeriesKey]) async throws -> [SkuDayUnits]
}
