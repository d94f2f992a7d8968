import struct Foundation.Date

/// The scope every analytics endpoint takes: `[from, to)` in UTC and one partner, each optional.
public struct AnalyticsFilter: Sendable, Equatable {
    public var partnerName: String?
    public var from: Date?
    public var to: Date?

    public init(partnerName: String? = nil, from: Date? = nil, to: Date? = nil) {
        self.partnerName = partnerName
        self.from = from
        self.to = to
    }
}

public enum SalesGrain: String, Sendable, CaseIterable {
    case daily
    case weekly
    case monthly
}

/// Sales of one partner in one currency. Amounts are exact: sums of integer ten-thousandths.
public struct PartnerSales: Sendable, Equatable {
    public var partnerName: String
    public var currency: String
    public var unitsSold: Int64
    public var orders: Int64
    public var totalSales: ExactDecimal

    public init(partnerName: String, currency: String, unitsSold: Int64, orders: Int64, totalSales: ExactDecimal) {
        self.partnerName = partnerName
        self.currency = currency
        self.unitsSold = unitsSold
        self.orders = orders
        self.totalSales = totalSales
    }
}

/// Sales in one period (identified by its first day, in days since 1970-01-01) and one currency.
public struct PeriodSales: Sendable, Equatable {
    public var periodStartDay: Int64
    public var currency: String
    public var unitsSold: Int64
    public var orders: Int64
    public var totalSales: ExactDecimal

    public init(periodStartDay: Int64, currency: String, unitsSold: Int64, orders: Int64, totalSales: ExactDecimal) {
        self.periodStartDay = periodStartDay
        self.currency = currency
        self.unitsSold = unitsSold
        self.orders = orders
        self.totalSales = totalSales
    }
}

public struct RevenueShare: Sendable, Equatable {
    public var partnerName: String
    public var currency: String
    public var totalRevenue: ExactDecimal
    /// Hundredths of a percent; per currency the shares add up to exactly 10,000 (100 %).
    public var revenueBasisPoints: Int64

    public init(partnerName: String, currency: String, totalRevenue: ExactDecimal, revenueBasisPoints: Int64) {
        self.partnerName = partnerName
        self.currency = currency
        self.totalRevenue = totalRevenue
        self.revenueBasisPoints = revenueBasisPoints
    }
}

/// Sales of one SKU of one partner in one currency; the product fields are nil when the catalog has no such SKU.
public struct ProductSales: Sendable, Equatable {
    public var productID: String?
    public var partnerName: String
    public var sku: String
    public var productName: String?
    public var currency: String
    public var unitsSold: Int64
    public var totalSales: ExactDecimal

    public init(productID: String?, partnerName: String, sku: String, productName: String?, currency: String, unitsSold: Int64,
                totalSales: ExactDecimal) {
        self.productID = productID
        self.partnerName = partnerName
        self.sku = sku
        self.productName = productName
        self.currency = currency
        self.unitsSold = unitsSold
        self.totalSales = totalSales
    }
}

/// The catalog's stock per partner, category and currency. Counts other than `products` are of active products.
public struct InventoryGroup: Sendable, Equatable {
    public var partnerName: String
    public var category: String?
    public var currency: String
    public var products: Int64
    public var active: Int64
    public var inStock: Int64
    public var outOfStock: Int64
    /// Active products with 1 … threshold units.
    public var lowStock: Int64
    /// Σ price of active products, for the average.
    public var activePriceTotal: ExactDecimal
    /// Σ price × quantity of active products (no quantity counts as 0).
    public var inventoryValue: ExactDecimal

    public init(partnerName: String, category: String?, currency: String, products: Int64, active: Int64, inStock: Int64,
                outOfStock: Int64, lowStock: Int64, activePriceTotal: ExactDecimal, inventoryValue: ExactDecimal) {
        self.partnerName = partnerName
        self.category = category
        self.currency = currency
        self.products = products
        self.active = active
        self.inStock = inStock
        self.outOfStock = outOfStock
        self.lowStock = lowStock
        self.activePriceTotal = activePriceTotal
        self.inventoryValue = inventoryValue
    }

    /// The mean price of the active products, rounded half up to four fraction digits; nil with none active.
    public var averagePrice: ExactDecimal? {
        guard active > 0 else { return nil }
        let (quotient, remainder) = activePriceTotal.units.quotientAndRemainder(dividingBy: active)
        return ExactDecimal(units: remainder * 2 >= active ? quotient + 1 : quotient)
    }
}
