import CatalogCore
import Foundation

/// The answers straight from the order lines (the queries before the rollup), which each store keeps.
public protocol LineAnalytics: Sendable {
    func salesByPartnerFromLines(_ filter: AnalyticsFilter) async throws -> [PartnerSales]
    func salesOverTimeFromLines(_ filter: AnalyticsFilter, grain: SalesGrain) async throws -> [PeriodSales]
    func topProductsFromLines(_ filter: AnalyticsFilter, limit: Int) async throws -> [ProductSales]
}

/// The sales rollup against an independent computation: random orders feeds (new orders, new lines of
/// existing orders, lines whose quantity, price, currency or day change, orders spread over several days)
/// and posted orders; after each write the analytics over many ranges (whole days, partial days at either
/// edge, within one day, open-ended, empty), each partner and all, must equal what the test computes from
/// its own copy of the lines, and what the order lines alone answer.
public enum AnalyticsRollupContract {
    typealias Failure = ObjectStoreContract.Failure

    struct Line {
        var partner: String
        var orderID: String
        var sku: String
        var quantity: Int64
        var priceUnits: Int64
        var currency: String
        /// Milliseconds since 1970: what both stores keep exactly.
        var orderedAt: Int64
        var sales: Int64 { quantity * priceUnits }
    }

    static let dayMillis: Int64 = 86_400_000
    /// 2026-03-28, a Saturday: the lines run over a week and a month boundary.
    static let firstDay: Int64 = 20_540
    static let days: Int64 = 8

    /// The UTC day of an instant, counted from 1970 and rounded down.
    static func dayOf(_ millis: Int64) -> Int64 { millis >= 0 ? millis / dayMillis : -((-millis + dayMillis - 1) / dayMillis) }

    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    /// A random instant in the test's days, often on or next to midnight; multiples of 125 ms are exact in
    /// binary floating point, so that every store sees the very instant the model does.
    static func randomInstant(_ random: inout some RandomNumberGenerator) -> Int64 {
        let day = (firstDay + Int64.random(in: 0..<days, using: &random)) * dayMillis
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return day
        case 1: return day + dayMillis - 125
        default: return day + Int64.random(in: 0..<(dayMillis / 125), using: &random) * 125
        }
    }

    /// One store written in rounds, with the test's own copy of every line.
    public struct Run: Sendable {
        public var store: any CatalogStore & LineAnalytics
        public let seed: UInt64
        var random: SeededRandom
        let partners = ["alpha", "beta-outdoor"]
        var lines: [String: Line] = [:]   // partner|order|sku
        var posted = 0
        var feedNumber = 0
        var round = 0
        let now = Date(timeIntervalSince1970: 1_790_000_000)

        public init(_ store: any CatalogStore & LineAnalytics, seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
            self.store = store
            self.seed = seed
            random = SeededRandom(seed: seed)
        }

        /// Writes random orders in rounds and checks every answer after each round.
        public mutating func writeAndCheck(rounds: Int) async throws {
            for _ in 0..<rounds {
                try await write()
                try await checkAll()
                round += 1
            }
        }

        /// Every analytics answer over many ranges against the test's copy of the lines.
        public mutating func checkAll() async throws {
            for filter in filters(partners, &random) {
                try await check(store, Array(lines.values), filter, context: "seed \(seed), round \(round)", &random)
            }
        }

        mutating func write() async throws {
            for partner in partners where Bool.random(using: &random) || round == 0 {
                // An orders feed: 1–30 lines of orders O1…O12, SKUs S1…S6, some of them already stored.
                feedNumber += 1
                let feed = try await store.createFeed(CatalogStoreContract.newFeed("FD9\(String(format: "%04d", feedNumber))", partner: partner))
                var staged: [StagedOrderLine] = []
                var seen = Set<String>()
                for _ in 0..<Int.random(in: 1...30, using: &random) {
                    let orderID = "O\(Int.random(in: 1...12, using: &random))"
                    let sku = "S\(Int.random(in: 1...6, using: &random))"
                    guard seen.insert(orderID + "|" + sku).inserted else { continue }
                    let key = "\(partner)|\(orderID)|\(sku)"
                    // An order's lines mostly share its first line's instant; some move to another day.
                    let sibling = lines.values.first { $0.partner == partner && $0.orderID == orderID }
                    var line = lines[key] ?? Line(
                        partner: partner, orderID: orderID, sku: sku, quantity: Int64.random(in: 1...5, using: &random),
                        priceUnits: Int64.random(in: 0...3, using: &random) * 12_500, currency: sibling?.currency ?? "USD",
                        orderedAt: sibling?.orderedAt ?? randomInstant(&random))
                    if lines[key] != nil || Int.random(in: 0..<4, using: &random) == 0 {
                        switch Int.random(in: 0..<6, using: &random) {
                        case 0: line.quantity = Int64.random(in: 1...5, using: &random)
                        case 1: line.priceUnits = Int64.random(in: 0...3, using: &random) * 12_500
                        case 2: line.currency = line.currency == "USD" ? "EUR" : "USD"
                        case 3: line.orderedAt = randomInstant(&random)
                        case 4: break // unchanged
                        default:
                            line.quantity = Int64.random(in: 1...5, using: &random)
                            line.orderedAt = randomInstant(&random)
                        }
                    }
                    lines[key] = line
                    staged.append(StagedOrderLine(line: staged.count + 2, record: OrderLineRecord(
                        orderID: orderID, sku: sku, quantity: line.quantity, unitPrice: ExactDecimal(units: line.priceUnits),
                        orderedAt: date(line.orderedAt), currency: line.currency)))
                }
                let jobID = "JV9\(String(format: "%04d", feedNumber))"
                _ = try await store.stageOrderLines(jobID: jobID, staged)
                _ = try await store.mergeOrderLines(jobID: jobID, feed: feed, now: now, completing: try await TestLeases.completion(store))
            }
            // Posted orders: one instant and currency for all the lines of each.
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                posted += 1
                let partner = partners.randomElement(using: &random)!
                let orderedAt = randomInstant(&random)
                let currency = Bool.random(using: &random) ? "USD" : "GBP"
                var records: [OrderLineRecord] = []
                for sku in ["S1", "S2", "S3", "S7"].shuffled(using: &random).prefix(Int.random(in: 1...3, using: &random)) {
                    let line = Line(partner: partner, orderID: "P\(posted)", sku: sku, quantity: Int64.random(in: 1...4, using: &random),
                                    priceUnits: Int64.random(in: 1...4, using: &random) * 2_500, currency: currency, orderedAt: orderedAt)
                    lines["\(partner)|P\(posted)|\(sku)"] = line
                    records.append(OrderLineRecord(orderID: line.orderID, sku: sku, quantity: line.quantity,
                                                   unitPrice: ExactDecimal(units: line.priceUnits), orderedAt: date(orderedAt), currency: currency))
                }
                _ = try await store.createOrder(NewOrder(
                    partnerName: partner, partnerOrderID: "P\(posted)", orderedAt: date(orderedAt), currency: currency, lines: records,
                    createdAt: now))
            }
        }
    }

    /// Writes random orders in rounds and checks every answer after each round.
    public static func matchesIndependentFigures(_ store: any CatalogStore & LineAnalytics, rounds: Int = 8) async throws {
        var run = Run(store)
        try await run.writeAndCheck(rounds: rounds)
    }

    static func filters(_ partners: [String], _ random: inout some RandomNumberGenerator) -> [AnalyticsFilter] {
        let start = firstDay * dayMillis
        var bounds: [(Int64?, Int64?)] = [
            (nil, nil),
            (start + dayMillis, start + 4 * dayMillis),                 // whole days
            (start + 2 * dayMillis, nil), (nil, start + 5 * dayMillis), // open-ended, whole days
            (start + 3 * dayMillis, start + 3 * dayMillis),             // empty
            (start + 3 * dayMillis + 3_600_000, start + 3 * dayMillis + 7_200_000), // within one day
            (start + 3 * dayMillis - 125, start + 4 * dayMillis + 125),  // just over one day
        ]
        for _ in 0..<4 {
            let from = randomInstant(&random)
            let to = min(from + Int64.random(in: 0...(5 * dayMillis / 125), using: &random) * 125, (firstDay + days) * dayMillis)
            bounds.append((from, to))
            bounds.append((from, nil))
            bounds.append((nil, to))
        }
        return bounds.flatMap { from, to in
            ([nil] + partners).map { AnalyticsFilter(partnerName: $0, from: from.map(date), to: to.map(date)) }
        }
    }

    static func check(
        _ store: any CatalogStore & LineAnalytics, _ all: [Line], _ filter: AnalyticsFilter, context run: String,
        _ random: inout some RandomNumberGenerator
    ) async throws {
        let from = filter.from.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
        let to = filter.to.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
        let lines = all.filter { line in
            (from.map { line.orderedAt >= $0 } ?? true) && (to.map { line.orderedAt < $0 } ?? true)
                && (filter.partnerName.map { line.partner == $0 } ?? true)
        }
        let context = "\(run), partner \(filter.partnerName ?? "all"), from \(from.map(String.init) ?? "-") to \(to.map(String.init) ?? "-")"

        // sales-by-partner
        var byPartner: [String: PartnerSales] = [:]
        for (key, group) in Dictionary(grouping: lines, by: { "\($0.partner) \($0.currency)" }) {
            byPartner[key] = PartnerSales(
                partnerName: group[0].partner, currency: group[0].currency, unitsSold: group.reduce(0) { $0 + $1.quantity },
                orders: Int64(Set(group.map(\.orderID)).count), totalSales: ExactDecimal(units: group.reduce(0) { $0 + $1.sales }))
        }
        let expectedByPartner = byPartner.sorted { $0.key < $1.key }.map(\.value)
        func sortedByPartner(_ rows: [PartnerSales]) -> [PartnerSales] {
            rows.sorted { "\($0.partnerName) \($0.currency)" < "\($1.partnerName) \($1.currency)" }
        }
        let gotByPartner = sortedByPartner(try await store.salesByPartner(filter))
        try expect(gotByPartner == expectedByPartner, "sales-by-partner, \(context):\n\(gotByPartner)\nexpected\n\(expectedByPartner)")
        try expect(sortedByPartner(try await store.salesByPartnerFromLines(filter)) == expectedByPartner, "lines' sales-by-partner, \(context)")

        // sales-over-time, each grain: the periods with sales.
        for grain in SalesGrain.allCases {
            var periods: [String: PeriodSales] = [:]
            for line in lines {
                let day = dayOf(line.orderedAt)
                let period = SalesPeriods.start(ofDay: day, grain)
                let key = "\(period) \(line.currency)"
                var sum = periods[key] ?? PeriodSales(periodStartDay: period, currency: line.currency, unitsSold: 0, orders: 0,
                                                      totalSales: ExactDecimal(units: 0))
                sum.unitsSold += line.quantity
                sum.totalSales = ExactDecimal(units: sum.totalSales.units + line.sales)
                periods[key] = sum
            }
            for (key, group) in Dictionary(grouping: lines, by: { line in
                "\(SalesPeriods.start(ofDay: dayOf(line.orderedAt), grain)) \(line.currency)"
            }) {
                periods[key]?.orders = Int64(Set(group.map { "\($0.partner)|\($0.orderID)" }).count)
            }
            func sorted(_ rows: [PeriodSales]) -> [PeriodSales] {
                rows.sorted { ($0.periodStartDay, $0.currency) < ($1.periodStartDay, $1.currency) }
            }
            let expected = sorted(Array(periods.values))
            let got = sorted(try await store.salesOverTime(filter, grain: grain))
            try expect(got == expected, "sales-over-time \(grain), \(context):\n\(got)\nexpected\n\(expected)")
            try expect(sorted(try await store.salesOverTimeFromLines(filter, grain: grain)) == expected, "lines' sales-over-time \(grain), \(context)")
        }

        // top-products, per currency, on each of its ways: as chosen, from the SKUs' spans with
        // small pages, and giving up on it (at its budget, or when too many SKUs sold enough to matter).
        let limit = Int.random(in: 1...4, using: &random)
        var skus: [String: SkuSales] = [:]
        for line in lines {
            let key = "\(line.currency)|\(line.partner)|\(line.sku)"
            var sum = skus[key] ?? SkuSales(partnerID: "", partnerName: line.partner, sku: line.sku, currency: line.currency, lines: 0,
                                             unitsSold: 0, sales: 0)
            sum.unitsSold += line.quantity
            sum.sales += line.sales
            skus[key] = sum
        }
        let expectedTop = Dictionary(grouping: skus.values, by: \.currency).sorted { $0.key < $1.key }.flatMap { _, group in
            group.sorted(by: SkuSales.ranks).prefix(limit).map { "\($0.currency) \($0.partnerName) \($0.sku) \($0.unitsSold) \($0.sales)" }
        }
        func described(_ rows: [ProductSales]) -> [String] {
            rows.sorted { a, b in
                if a.currency != b.currency { return a.currency < b.currency }
                if a.totalSales != b.totalSales { return a.totalSales > b.totalSales }
                if a.unitsSold != b.unitsSold { return a.unitsSold > b.unitsSold }
                return (a.partnerName, a.sku) < (b.partnerName, b.sku)
            }.map { "\($0.currency) \($0.partnerName) \($0.sku) \($0.unitsSold) \($0.totalSales.units)" }
        }
        for tuning in [
            TopProductsTuning(),
            TopProductsTuning(fewLines: 0, pageSize: Int.random(in: 1...3, using: &random), maxCandidates: 1000),
            TopProductsTuning(fewLines: 0, pageSize: 1, maxCandidates: 1),
            TopProductsTuning(fewLines: 0, pageSize: 2, maxCandidates: 3),
        ] {
            let got = try await TopProductsTuning.$current.withValue(tuning) { try await store.topProducts(filter, limit: limit) }
            try expect(described(got) == expectedTop,
                       "top-products (limit \(limit), page \(tuning.pageSize)), \(context):\n\(described(got))\nexpected\n\(expectedTop)")
        }
        try expect(described(try await store.topProductsFromLines(filter, limit: limit)) == expectedTop, "lines' top-products, \(context)")
    }

    static func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw Failure(message()) }
    }
}
