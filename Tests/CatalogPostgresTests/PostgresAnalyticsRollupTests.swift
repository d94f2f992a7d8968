import CatalogCore
@testable import CatalogPostgres
import CatalogTestSupport
import Foundation
import Testing

/// The answers straight from the order lines, which the rollup's answers must equal.
extension PostgresCatalogStore: LineAnalytics {
    public func salesByPartnerFromLines(_ filter: AnalyticsFilter) async throws -> [PartnerSales] {
        let logger = self.logger
        return try await analyticsSnapshot { connection in try await Self.lineSalesByPartner(filter, connection, logger) }
    }

    public func salesOverTimeFromLines(_ filter: AnalyticsFilter, grain: SalesGrain) async throws -> [PeriodSales] {
        let logger = self.logger
        return try await analyticsSnapshot { connection in try await Self.lineSalesOverTime(filter, grain, connection, logger) }
    }

    public func topProductsFromLines(_ filter: AnalyticsFilter, limit: Int) async throws -> [ProductSales] {
        let logger = self.logger
        return try await analyticsSnapshot { connection in
            try await Self.lineTopProducts(filter, limit: limit, currencies: nil, connection, logger)
        }
    }

    /// The inventory answer straight from the products (the query before the rollup).
    func inventoryFromProducts(_ filter: AnalyticsFilter, lowStockThreshold: Int64) async throws -> [InventoryGroup] {
        let logger = self.logger
        return try await analyticsSnapshot { connection in try await Self.productInventory(filter, lowStockThreshold, connection, logger) }
    }
}

/// The sales rollup on PostgreSQL: random orders against an independent computation, and the
/// migration's backfill (`sales_rollup_rebuild()`) of orders stored around it.
@Suite struct PostgresAnalyticsRollupTests {
    @Test(arguments: 0..<2)
    func rollupMatchesIndependentFigures(_ run: Int) async throws {
        try await AnalyticsRollupContract.matchesIndependentFigures(try await TestPostgres.freshStore().store, rounds: 5)
    }

    /// Emptied and rebuilt from the order lines, the rollup answers the same; the writes go on from there.
    @Test func rebuildFromOrderLines() async throws {
        let (store, url) = try await TestPostgres.freshStore()
        var run = AnalyticsRollupContract.Run(store)
        try await run.writeAndCheck(rounds: 2)
        try await TestPostgres.execute("TRUNCATE sales_daily, sales_by_sku, sales_split_orders", url: url)
        #expect(try await store.salesOverTime(AnalyticsFilter(), grain: .daily).isEmpty)
        try await TestPostgres.execute("SELECT sales_rollup_rebuild()", url: url)
        try await run.checkAll()
        try await run.writeAndCheck(rounds: 1)
    }
}
