@testable import CatalogCore
import CatalogTestSupport
import Foundation
import Testing

/// The pure parts of the sales rollup: splitting a range, combining days, and the top-products search.
@Suite struct SalesRollupTests {
    static let day: Int64 = 86_400_000_000
    static func instant(_ micros: Int64) -> Date { UTCMicroseconds.date(micros) }

    @Test func wholeDaysNeedNoEdges() throws {
        let plan = try #require(RollupPlan(AnalyticsFilter(partnerName: "p", from: Self.instant(20 * Self.day), to: Self.instant(23 * Self.day))))
        #expect(plan == RollupPlan(firstDay: 20, endDay: 23, edges: []))
        #expect(RollupPlan(AnalyticsFilter()) == RollupPlan(firstDay: nil, endDay: nil, edges: []))
    }

    @Test func partialDaysBecomeEdges() throws {
        let from = Self.instant(20 * Self.day + 3_600_000_000)
        let to = Self.instant(23 * Self.day + 1)
        let plan = try #require(RollupPlan(AnalyticsFilter(partnerName: "p", from: from, to: to)))
        #expect(plan.firstDay == 21 && plan.endDay == 23)
        #expect(plan.edges == [
            AnalyticsFilter(partnerName: "p", from: from, to: Self.instant(21 * Self.day)),
            AnalyticsFilter(partnerName: "p", from: Self.instant(23 * Self.day), to: to),
        ])
        // Before 1970 the days round down too.
        let early = try #require(RollupPlan(AnalyticsFilter(from: Self.instant(-3 * Self.day - 5), to: nil)))
        #expect(early.firstDay == -3 && early.endDay == nil && early.edges.count == 1)
    }

    @Test func rangesWithoutAWholeDayAreLinesOnly() {
        let base = 20 * Self.day
        #expect(RollupPlan(AnalyticsFilter(from: Self.instant(base + 5), to: Self.instant(base + 9))) == nil)
        #expect(RollupPlan(AnalyticsFilter(from: Self.instant(base + 5), to: Self.instant(base + Self.day))) == nil)
        #expect(RollupPlan(AnalyticsFilter(from: Self.instant(base + 5), to: Self.instant(base + Self.day + 7))) == nil)
        #expect(RollupPlan(AnalyticsFilter(from: Self.instant(base), to: Self.instant(base))) == nil)
        #expect(RollupPlan(AnalyticsFilter(from: Self.instant(base), to: Self.instant(base + Self.day))) != nil)
    }

    /// An order with lines on Monday and Tuesday of one week and on the next Monday: the rollup counts it
    /// on each day; per week it is one order in each week, per partner one order.
    @Test func splitOrdersCountOncePerPeriod() {
        let monday: Int64 = 20_556  // 2026-04-13
        func sales(_ day: Int64, orders: Int64) -> PeriodSales {
            PeriodSales(periodStartDay: day, currency: "USD", unitsSold: 1, orders: orders, totalSales: ExactDecimal(units: 10))
        }
        let whole = [sales(monday, orders: 2), sales(monday + 1, orders: 1), sales(monday + 7, orders: 1)]
        let split = [monday, monday + 1, monday + 7].map { SplitOrderDay(orderSeq: 7, partnerName: "p", currency: "USD", day: $0) }
        let weekly = SalesRollup.salesOverTime(whole: whole, edges: [], splitDays: split, grain: .weekly)
            .sorted { $0.periodStartDay < $1.periodStartDay }
        #expect(weekly.map(\.periodStartDay) == [monday, monday + 7])
        #expect(weekly.map(\.orders) == [2, 1])
        #expect(weekly.map(\.unitsSold) == [2, 1])
        let daily = SalesRollup.salesOverTime(whole: whole, edges: [], splitDays: split, grain: .daily)
        #expect(daily.map(\.orders) == [2, 1, 1])

        let partner = SalesRollup.salesByPartner(
            whole: [PartnerSales(partnerName: "p", currency: "USD", unitsSold: 3, orders: 4, totalSales: ExactDecimal(units: 30))],
            edges: [[PartnerSales(partnerName: "p", currency: "USD", unitsSold: 1, orders: 1, totalSales: ExactDecimal(units: 5))]],
            splitDays: split + [SplitOrderDay(orderSeq: 9, partnerName: "p", currency: "USD", day: monday)])
        #expect(partner == [PartnerSales(partnerName: "p", currency: "USD", unitsSold: 4, orders: 3, totalSales: ExactDecimal(units: 35))])
    }

    /// A SKU of the search tests: its lines as (instant, units, sales).
    struct ModelSku {
        var key: SkuKey
        var partnerName: String
        var lines: [(at: Int, units: Int64, sales: Int64)]

        func figures(_ lines: [(at: Int, units: Int64, sales: Int64)]) -> SkuSales {
            SkuSales(partnerID: key.partnerID, partnerName: partnerName, sku: key.sku, currency: "USD", lines: Int64(lines.count),
                     unitsSold: lines.reduce(0) { $0 + $1.units }, sales: lines.reduce(0) { $0 + $1.sales })
        }
    }

    /// Feeds a search the way the stores do: the best SKUs wholly inside `[from, to)`, then pages of the
    /// straddling SKUs whose bound reaches the weakest of the best, after the cursor.
    static func search(_ skus: [ModelSku], from: Int?, to: Int?, limit: Int, _ tuning: TopProductsTuning)
        -> (progress: TopSkuSearch.Progress, search: TopSkuSearch, pages: Int)
    {
        func inRange(_ at: Int) -> Bool { (from.map { at >= $0 } ?? true) && (to.map { at < $0 } ?? true) }
        var inside: [SkuSales] = []
        var straddling: [StraddlingSku] = []
        for sku in skus {
            let first = sku.lines.map(\.at).min()!, last = sku.lines.map(\.at).max()!
            let all = sku.figures(sku.lines)
            if inRange(first) && inRange(last) {
                inside.append(all)
            } else if (to.map { first < $0 } ?? true) && (from.map { last >= $0 } ?? true) {
                straddling.append(StraddlingSku(key: sku.key, bound: all.sales - sku.lines.map(\.sales).min()!))
            }
        }
        var search = TopSkuSearch(limit: limit, tuning, inside: Array(inside.sorted(by: SkuSales.ranks).prefix(limit)))
        straddling.sort(by: StraddlingSku.precedes)
        var pages = 0
        while true {
            let weakest = search.weakestSales
            let page = Array(straddling.filter { candidate in
                weakest.map { candidate.bound >= $0 } ?? true
                    && search.cursor.map { StraddlingSku.precedes($0, candidate) } ?? true
            }.prefix(tuning.pageSize))
            var figures: [SkuKey: SkuSales] = [:]
            for row in page {
                let sku = skus.first { $0.key == row.key }!
                let lines = sku.lines.filter { inRange($0.at) }
                if !lines.isEmpty { figures[row.key] = sku.figures(lines) }
            }
            pages += 1
            let progress = search.add(page: page, inRange: figures)
            if progress != .more { return (progress, search, pages) }
        }
    }

    /// The search from the SKUs' spans finds exactly the best SKUs over a range, against summing every
    /// SKU's lines in it: ties in sales and units, lines of no sales, open ranges, page sizes from 1 up.
    @Test func topSkuSearchMatchesSummingEveryLine() {
        var random = SeededRandom(seed: 0x70B5)
        for round in 0..<500 {
            let skus = (0..<Int.random(in: 0...40, using: &random)).map { index in
                ModelSku(
                    key: SkuKey(partnerID: "PT0000\(index % 3)", sku: "S\(index)"), partnerName: "partner-\(index % 3)",
                    lines: (0..<Int.random(in: 1...4, using: &random)).map { _ in
                        let units = Int64.random(in: 1...3, using: &random)
                        return (Int.random(in: 0..<100, using: &random), units, units * Int64.random(in: 0...4, using: &random) * 5)
                    })
            }
            var from: Int? = Int.random(in: -10..<100, using: &random)
            var to: Int? = from! + Int.random(in: 1...110, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: from = nil
            case 1: to = nil
            default: break
            }
            let limit = Int.random(in: 1...6, using: &random)
            let expected = Array(skus.compactMap { sku -> SkuSales? in
                let lines = sku.lines.filter { line in (from.map { line.at >= $0 } ?? true) && (to.map { line.at < $0 } ?? true) }
                return lines.isEmpty ? nil : sku.figures(lines)
            }.sorted(by: SkuSales.ranks).prefix(limit))
            let tuning = TopProductsTuning(pageSize: Int.random(in: 1...8, using: &random), maxCandidates: 1000)
            let (progress, search, _) = Self.search(skus, from: from, to: to, limit: limit, tuning)
            #expect(progress == .done)
            #expect(search.best == expected, "round \(round), range \(String(describing: from))..<\(String(describing: to))")
        }
    }

    /// The bench's shape: each SKU sold twice, far apart. Over a range holding one line of each, only the
    /// SKUs whose other line could beat the best are read, not all that straddle.
    @Test func topSkuSearchReadsOnlyStraddlersThatCouldWin() {
        let skus = (0..<1000).map { index in
            ModelSku(key: SkuKey(partnerID: "PT1", sku: "S\(index)"), partnerName: "p",
                     lines: [(index % 50, 1, Int64((index * 7919) % 1000)), (index % 50 + 60, 1, Int64((index * 104_729) % 1000))])
        }
        let (progress, search, pages) = Self.search(skus, from: 0, to: 50, limit: 10, TopProductsTuning(pageSize: 10, maxCandidates: 1000))
        #expect(progress == .done)
        #expect(search.examined < 100)
        #expect(pages == search.examined / 10 + 1)
        #expect(search.best.count == 10)
    }

    @Test func topSkuSearchGivesUpPastItsBudget() {
        let key = { (index: Int) in SkuKey(partnerID: "PT1", sku: "S\(index)") }
        let straddlers = (0..<10).map { StraddlingSku(key: key($0), bound: 100 - Int64($0)) }
        var search = TopSkuSearch(limit: 1, TopProductsTuning(pageSize: 2, maxCandidates: 4), inside: [])
        #expect(search.add(page: Array(straddlers[0..<2]), inRange: [:]) == .more)
        #expect(search.add(page: Array(straddlers[2..<4]), inRange: [:]) == .gaveUp)
        // An exact figure above every bound not read yet settles it at once.
        let winner = SkuSales(partnerID: "PT1", partnerName: "p", sku: "S0", currency: "USD", lines: 1, unitsSold: 1, sales: 100)
        var settled = TopSkuSearch(limit: 1, TopProductsTuning(pageSize: 2, maxCandidates: 4), inside: [])
        #expect(settled.add(page: Array(straddlers[0..<2]), inRange: [key(0): winner]) == .done)
        #expect(settled.best == [winner])
        // Equal to the bound is not enough: an unread SKU may tie and rank first on units.
        var tied = TopSkuSearch(limit: 1, TopProductsTuning(pageSize: 2, maxCandidates: 40), inside: [])
        var low = winner
        low.sales = 99
        #expect(tied.add(page: Array(straddlers[0..<2]), inRange: [key(0): low]) == .more)
        // The best wholly inside set the bar before any page.
        let inside = TopSkuSearch(limit: 1, TopProductsTuning(), inside: [winner])
        #expect(inside.weakestSales == 100 && inside.best == [winner])
    }

    @Test func strategies() {
        let bounded = AnalyticsFilter(from: Date(timeIntervalSince1970: 0))
        let tuning = TopProductsTuning()
        #expect(TopProductsStrategy.choose(AnalyticsFilter(partnerName: "p"), linesInRange: 10, tuning) == .allTime)
        #expect(TopProductsStrategy.choose(bounded, linesInRange: 2_000, tuning) == .lines)
        #expect(TopProductsStrategy.choose(bounded, linesInRange: 2_001, tuning) == .bounded)
    }
}
