import CatalogCore
import CatalogPostgres
import CatalogTestSupport
import Foundation
import Testing

extension PostgresCatalogStore: LineAnalytics {}

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
