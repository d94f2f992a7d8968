@testable import CatalogCore
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

    /// The search over the all-time ranking finds exactly the best SKUs over a range, against sorting them
    /// all, with ties in sales and units, page sizes from 1 up, and SKUs that did not sell in the range.
    @Test func topSkuSearchMatchesSortingEverything() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let count = Int.random(in: 0...40, using: &generator)
            var allTime: [SkuSales] = []
            var inRange: [SkuKey: SkuSales] = [:]
            for index in 0..<count {
                let sales = Int64.random(in: 0...6, using: &generator) * 10
                let units = Int64.random(in: 1...3, using: &generator)
                let row = SkuSales(partnerID: "PT0000\(index % 3)", partnerName: "partner-\(index % 3)", sku: "S\(index)", currency: "USD",
                                   lines: 2, unitsSold: units + 2, sales: sales + Int64.random(in: 0...20, using: &generator))
                allTime.append(row)
                if Bool.random(using: &generator) {
                    var part = row
                    part.lines = 1
                    part.unitsSold = Int64.random(in: 1...part.unitsSold, using: &generator)
                    part.sales = Int64.random(in: 0...row.sales, using: &generator)
                    if Bool.random(using: &generator) { part.sales = row.sales }
                    inRange[row.key] = part
                }
            }
            allTime.sort(by: SkuSales.ranks)
            let limit = Int.random(in: 1...6, using: &generator)
            let expected = Array(inRange.values.sorted(by: SkuSales.ranks).prefix(limit))
            let tuning = TopProductsTuning(pageSize: Int.random(in: 1...8, using: &generator), maxCandidates: 1000)
            var search = TopSkuSearch(limit: limit, tuning)
            var offset = 0
            while true {
                let page = Array(allTime[offset..<min(offset + tuning.pageSize, allTime.count)])
                offset += page.count
                let progress = search.add(page: page, inRange: inRange.filter { key, _ in page.contains { $0.key == key } })
                #expect(progress != .gaveUp)
                if progress == .done { break }
                #expect(search.cursor == page.last)
            }
            #expect(search.best == expected, "round \(round)")
            #expect(offset <= allTime.count)
        }
    }

    @Test func topSkuSearchGivesUpPastItsBudget() {
        let rows = (0..<10).map { SkuSales(partnerID: "PT1", partnerName: "p", sku: "S\($0)", currency: "USD", lines: 1, unitsSold: 1, sales: 100 - Int64($0)) }
        var search = TopSkuSearch(limit: 1, TopProductsTuning(pageSize: 2, maxCandidates: 4))
        #expect(search.add(page: Array(rows[0..<2]), inRange: [:]) == .more)
        #expect(search.add(page: Array(rows[2..<4]), inRange: [:]) == .gaveUp)
        // A strictly better exact figure than anything unread settles it at once.
        var settled = TopSkuSearch(limit: 1, TopProductsTuning(pageSize: 2, maxCandidates: 4))
        #expect(settled.add(page: Array(rows[0..<2]), inRange: [rows[0].key: rows[0]]) == .done)
        #expect(settled.best == [rows[0]])
        // Equal to the bound is not enough: an unread SKU may tie and rank first.
        var tied = TopSkuSearch(limit: 1, TopProductsTuning(pageSize: 2, maxCandidates: 40))
        var low = rows[0]
        low.sales = rows[1].sales
        #expect(tied.add(page: Array(rows[0..<2]), inRange: [rows[0].key: low]) == .more)
    }

    @Test func strategies() {
        let bounded = AnalyticsFilter(from: Date(timeIntervalSince1970: 0))
        let tuning = TopProductsTuning()
        #expect(TopProductsStrategy.choose(AnalyticsFilter(partnerName: "p"), linesInRange: 10, linesInAllTime: 10, tuning) == .allTime)
        #expect(TopProductsStrategy.choose(bounded, linesInRange: 20_000, linesInAllTime: 30_000, tuning) == .lines)
        #expect(TopProductsStrategy.choose(bounded, linesInRange: 200_000, linesInAllTime: 1_000_000, tuning) == .lines)
        #expect(TopProductsStrategy.choose(bounded, linesInRange: 500_000, linesInAllTime: 1_000_000, tuning) == .ranked)
    }
}
