import CatalogCore
@testable import CatalogSQLite
import CatalogTestSupport
import Foundation
import GRDB
import Testing

/// The answers straight from the order lines, which the rollup's answers must equal.
extension SQLiteCatalogStore: LineAnalytics {
    public func salesByPartnerFromLines(_ filter: AnalyticsFilter) async throws -> [PartnerSales] {
        try await read { db in try Self.lineSalesByPartner(filter, db) }
    }

    public func salesOverTimeFromLines(_ filter: AnalyticsFilter, grain: SalesGrain) async throws -> [PeriodSales] {
        try await read { db in try Self.lineSalesOverTime(filter, grain, db) }
    }

    public func topProductsFromLines(_ filter: AnalyticsFilter, limit: Int) async throws -> [ProductSales] {
        try await read { db in try Self.lineTopProducts(filter, limit: limit, currencies: nil, db) }
    }
}

/// The sales rollup on the embedded store: random orders against an independent computation, and the
/// migration's backfill of orders stored before it.
@Suite struct SQLiteAnalyticsRollupTests {
    let directory = TemporaryDirectory()

    @Test(arguments: 0..<3)
    func rollupMatchesIndependentFigures(_ run: Int) async throws {
        let store = try SQLiteCatalogStore(path: directory.path + "/catalog-\(run).sqlite")
        try await AnalyticsRollupContract.matchesIndependentFigures(store)
    }

    /// Orders stored before migrations 005 and 007: they roll them up, and the writes go on from there.
    @Test func migrationBackfillsExistingOrders() async throws {
        let path = directory.path + "/catalog.sqlite"
        var run = AnalyticsRollupContract.Run(try SQLiteCatalogStore(path: path))
        try await run.writeAndCheck(rounds: 3)
        // Back to before the migration, then migrated again on opening.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: """
                DROP TABLE sales_daily; DROP TABLE sales_by_sku; DROP TABLE sales_split_orders; DROP INDEX order_lines_by_sku;
                DELETE FROM grdb_migrations WHERE identifier IN ('005_sales_rollup', '007_sku_spans');
                """)
        }
        try queue.close()
        let migrated = try SQLiteCatalogStore(path: path)
        #expect(try migrated.appliedMigrations().contains("005_sales_rollup"))
        #expect(try migrated.appliedMigrations().contains("007_sku_spans"))
        run.store = migrated
        try await run.checkAll()
        try await run.writeAndCheck(rounds: 2)
    }
}
