import struct Foundation.Date

/// The sales rollup (issue 6): both stores keep, beside the order lines and in the same transaction as
/// every order write, the exact sums of the lines per partner, UTC day and currency (`sales_daily`: lines,
/// distinct orders, units, Σ quantity × unit price in integer units) and per partner, SKU and currency over
/// all time (`sales_by_sku`), and the list of orders whose lines in one currency fall on more than one UTC
/// day (`sales_split_orders`). The types here turn those into answers that are exactly the ones the order
/// lines give.
///
/// A range `[from, to)` splits into the whole UTC days inside it, read from `sales_daily`, and at most two
/// partial days at its edges, read from the order lines. Sums simply add up. An order is counted once per
/// partner (or period) and currency; the rollup counts it once per day it has lines on, which is the same
/// except for split orders: for those the days they have lines on inside the range are read from the
/// lines, and each one is counted once again.
public struct RollupPlan: Sendable, Equatable {
    /// The first whole day (days since 1970-01-01, UTC) read from the rollup; nil: unbounded.
    public var firstDay: Int64?
    /// The day after the last whole day; nil: unbounded.
    public var endDay: Int64?
    /// The partial days at the edges, each within one UTC day, read from the order lines.
    public var edges: [AnalyticsFilter]

    public static let microsecondsPerDay: Int64 = 86_400_000_000

    /// Nil when the range holds no whole UTC day: then the order lines answer alone.
    public init?(_ filter: AnalyticsFilter) {
        let day = Self.microsecondsPerDay
        var edges: [AnalyticsFilter] = []
        if let from = filter.from {
            let micros = UTCMicroseconds.of(from)
            let floor = SalesPeriods.floorDiv(micros, day)
            if floor * day == micros {
                firstDay = floor
            } else {
                firstDay = floor + 1
                edges.append(AnalyticsFilter(partnerName: filter.partnerName, from: from, to: UTCMicroseconds.date((floor + 1) * day)))
            }
        }
        if let to = filter.to {
            let micros = UTCMicroseconds.of(to)
            let floor = SalesPeriods.floorDiv(micros, day)
            endDay = floor
            if floor * day != micros {
                edges.append(AnalyticsFilter(partnerName: filter.partnerName, from: UTCMicroseconds.date(floor * day), to: to))
            }
        }
        if let firstDay, let endDay, firstDay >= endDay { return nil }
        self.edges = edges
    }

    public init(firstDay: Int64?, endDay: Int64?, edges: [AnalyticsFilter]) {
        self.firstDay = firstDay
        self.endDay = endDay
        self.edges = edges
    }
}

/// One day on which a split order (one with lines in one currency on more than one UTC day) has lines
/// in the range asked about.
public struct SplitOrderDay: Sendable, Hashable {
    public var orderSeq: Int64
    public var partnerName: String
    public var currency: String
    public var day: Int64

    public init(orderSeq: Int64, partnerName: String, currency: String, day: Int64) {
        self.orderSeq = orderSeq
        self.partnerName = partnerName
        self.currency = currency
        self.day = day
    }
}

/// Combines the rollup's whole days, the lines of the edges and the split orders into exact figures.
public enum SalesRollup {
    /// `whole`: per partner and currency over the whole days, `orders` summed over days; `edges`: the
    /// lines' answer for each edge; `splitDays`: the days of split orders inside the range.
    public static func salesByPartner(whole: [PartnerSales], edges: [[PartnerSales]], splitDays: [SplitOrderDay]) -> [PartnerSales] {
        struct Key: Hashable { var partner: String, currency: String }
        var figures: [Key: PartnerSales] = [:]
        var order: [Key] = []
        for row in whole + edges.flatMap({ $0 }) {
            let key = Key(partner: row.partnerName, currency: row.currency)
            if var sum = figures[key] {
                sum.unitsSold += row.unitsSold
                sum.orders += row.orders
                sum.totalSales = ExactDecimal(units: sum.totalSales.units + row.totalSales.units)
                figures[key] = sum
            } else {
                figures[key] = row
                order.append(key)
            }
        }
        // A split order was counted once per day it has lines on in the range; it is one order.
        for (key, days) in Dictionary(grouping: splitDays, by: { OrderKey($0) }) where days.count > 1 {
            figures[Key(partner: key.partnerName, currency: key.currency)]?.orders -= Int64(days.count - 1)
        }
        return order.compactMap { figures[$0] }
    }

    /// `whole` and `edges`: per day and currency (`periodStartDay` is the day), `orders` per day; the
    /// result per period of `grain`, with the days of each split order in one period counted once.
    public static func salesOverTime(
        whole: [PeriodSales], edges: [[PeriodSales]], splitDays: [SplitOrderDay], grain: SalesGrain
    ) -> [PeriodSales] {
        struct Key: Hashable { var period: Int64, currency: String }
        var figures: [Key: PeriodSales] = [:]
        var order: [Key] = []
        for row in whole + edges.flatMap({ $0 }) {
            let key = Key(period: SalesPeriods.start(ofDay: row.periodStartDay, grain), currency: row.currency)
            if var sum = figures[key] {
                sum.unitsSold += row.unitsSold
                sum.orders += row.orders
                sum.totalSales = ExactDecimal(units: sum.totalSales.units + row.totalSales.units)
                figures[key] = sum
            } else {
                var first = row
                first.periodStartDay = key.period
                figures[key] = first
                order.append(key)
            }
        }
        let byPeriod = Dictionary(grouping: splitDays) { SplitPeriod(order: OrderKey($0), period: SalesPeriods.start(ofDay: $0.day, grain)) }
        for (key, days) in byPeriod where days.count > 1 {
            figures[Key(period: key.period, currency: key.order.currency)]?.orders -= Int64(days.count - 1)
        }
        return order.compactMap { figures[$0] }
    }

    struct OrderKey: Hashable {
        var orderSeq: Int64
        var partnerName: String
        var currency: String

        init(_ day: SplitOrderDay) {
            orderSeq = day.orderSeq
            partnerName = day.partnerName
            currency = day.currency
        }
    }

    struct SplitPeriod: Hashable {
        var order: OrderKey
        var period: Int64
    }
}
