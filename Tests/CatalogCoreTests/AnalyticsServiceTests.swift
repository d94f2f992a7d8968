import CatalogCore
import Foundation
import Testing

/// Analytics arithmetic: periods against Foundation's ISO calendar, revenue shares, empty periods, averages.
@Suite struct AnalyticsServiceTests {
    static var utc: Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    @Test func periodsAreFoundationsWeeksAndMonths() {
        for _ in 0..<2000 {
            let day = Int64.random(in: -30_000...80_000)
            let date = Date(timeIntervalSince1970: Double(day) * 86_400)
            let week = Self.utc.dateInterval(of: .weekOfYear, for: date)!
            let month = Self.utc.dateInterval(of: .month, for: date)!
            func days(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / 86_400).rounded()) }
            #expect(SalesPeriods.start(ofDay: day, .daily) == day)
            #expect(SalesPeriods.start(ofDay: day, .weekly) == days(week.start), "\(date)")
            #expect(SalesPeriods.next(after: days(week.start), .weekly) == days(week.end))
            #expect(SalesPeriods.start(ofDay: day, .monthly) == days(month.start), "\(date)")
            #expect(SalesPeriods.next(after: days(month.start), .monthly) == days(month.end), "\(date)")
        }
        #expect(SalesPeriods.label(20_758) == "2026-11-01")
        #expect(SalesPeriods.day(ofMicroseconds: -1) == -1)
    }

    /// Analytics figures handed to the service as a store would return them.
    struct StubFigures: AnalyticsQueries {
        var partnerSales: [PartnerSales] = []
        var periodSales: [PeriodSales] = []
        func salesByPartner(_ filter: AnalyticsFilter) async throws -> [PartnerSales] { partnerSales }
        func salesOverTime(_ filter: AnalyticsFilter, grain: SalesGrain) async throws -> [PeriodSales] { periodSales }
        func topProducts(_ filter: AnalyticsFilter, limit: Int) async throws -> [ProductSales] { [] }
        func inventory(_ filter: AnalyticsFilter, lowStockThreshold: Int64) async throws -> [InventoryGroup] { [] }
    }

    static let analyst = Principal(keyID: "k", role: .analyst, partner: nil)

    func shares(_ units: [Int64]) async throws -> [Int64] {
        let sales = units.enumerated().map { index, amount in
            PartnerSales(partnerName: "p\(index + 10)", currency: "USD", unitsSold: 1, orders: 1, totalSales: ExactDecimal(units: amount))
        }
        return try await AnalyticsService(queries: StubFigures(partnerSales: sales))
            .revenueShare(AnalyticsFilter(), by: Self.analyst).map(\.revenueBasisPoints)
    }

    @Test func revenueSharesAddUpToExactlyOneHundredPercent() async throws {
        #expect(try await shares([1, 1, 1]) == [3334, 3333, 3333])
        #expect(try await shares([0, 0]) == [5000, 5000])
        #expect(try await shares([2, 1]) == [6667, 3333])
        #expect(try await shares([9_999_999_999_999_999, 1]) == [10_000, 0])
        for _ in 0..<300 {
            let units = (0..<Int.random(in: 1...12)).map { _ in Int64.random(in: 0...1_000_000_000_000) }
            let points = try await shares(units)
            #expect(points.reduce(0, +) == 10_000, "\(units)")
            let total = units.reduce(0, +)
            for (amount, share) in zip(units, points) where total > 0 {
                let exact = Double(amount) * 10_000 / Double(total)
                #expect(abs(Double(share) - exact) < 1.0001, "\(units)")
            }
        }
    }

    @Test func salesOverTimeFillsEmptyPeriodsForEveryCurrency() async throws {
        let rows = [
            PeriodSales(periodStartDay: 20_760, currency: "USD", unitsSold: 2, orders: 1, totalSales: ExactDecimal(units: 5)),
            PeriodSales(periodStartDay: 20_762, currency: "EUR", unitsSold: 1, orders: 1, totalSales: ExactDecimal(units: 7)),
        ]
        let service = AnalyticsService(queries: StubFigures(periodSales: rows))
        let filled = try await service.salesOverTime(AnalyticsFilter(), grain: .daily, by: Self.analyst)
        #expect(filled.map(\.salesPeriod) == ["2026-11-03", "2026-11-03", "2026-11-04", "2026-11-04", "2026-11-05", "2026-11-05"])
        #expect(filled.map(\.currency) == ["EUR", "USD", "EUR", "USD", "EUR", "USD"])
        #expect(filled.map(\.totalSales.units) == [0, 5, 0, 0, 7, 0])
        let ranged = try await service.salesOverTime(
            AnalyticsFilter(from: ISODateTime.parse("2026-11-03T12:00:00Z"), to: ISODateTime.parse("2026-11-06")), grain: .daily,
            by: Self.analyst)
        #expect(Set(ranged.map(\.salesPeriod)) == ["2026-11-03", "2026-11-04", "2026-11-05"])
        await #expect(throws: CatalogError.self) {
            try await service.salesOverTime(
                AnalyticsFilter(from: ISODateTime.parse("1990-01-01"), to: ISODateTime.parse("2030-01-01")), grain: .daily, by: Self.analyst)
        }
    }

    @Test func averagePriceRoundsHalfUp() {
        func average(_ total: Int64, _ active: Int64) -> Int64? {
            InventoryGroup(partnerName: "p", category: nil, currency: "USD", products: active, active: active, inStock: 0, outOfStock: 0,
                           lowStock: 0, activePriceTotal: ExactDecimal(units: total), inventoryValue: ExactDecimal(units: 0)).averagePrice?.units
        }
        #expect(average(5, 2) == 3)
        #expect(average(4, 3) == 1)
        #expect(average(5, 3) == 2)
        #expect(average(0, 0) == nil)
    }
}
