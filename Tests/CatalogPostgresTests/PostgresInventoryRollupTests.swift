import CatalogCore
import CatalogPostgres
import CatalogTestSupport
import Foundation
import Testing

/// The inventory rollup on PostgreSQL (migration 008): random products feeds against an independent
/// computation, rows deleted around the application, and `inventory_rollup_rebuild()`.
@Suite struct PostgresInventoryRollupTests {
    @Test(arguments: 0..<2)
    func rollupMatchesIndependentFigures(_ run: Int) async throws {
        var run = InventoryContract.Run(try await TestPostgres.freshStore().store)
        try await run.writeAndCheck(rounds: 10)
    }

    /// Whole days come from the rollup: emptied, it answers nothing until rebuilt from the products; deleted
    /// products leave it through the DELETE trigger.
    @Test func rebuildAndDeletes() async throws {
        let (store, url) = try await TestPostgres.freshStore()
        var run = InventoryContract.Run(store)
        try await run.writeAndCheck(rounds: 4)
        try await TestPostgres.execute("TRUNCATE inventory_daily", url: url)
        #expect(try await store.inventory(AnalyticsFilter(), lowStockThreshold: 5).isEmpty)
        #expect(try await !store.inventoryFromProducts(AnalyticsFilter(), lowStockThreshold: 5).isEmpty)
        try await TestPostgres.execute("SELECT inventory_rollup_rebuild()", url: url)
        try await run.checkAll()
        try await TestPostgres.execute("DELETE FROM products WHERE sku IN ('S1', 'S2') AND partner_name = 'alpha'", url: url)
        run.forget(partner: "alpha", sku: "S1")
        run.forget(partner: "alpha", sku: "S2")
        try await run.checkAll()
        try await run.writeAndCheck(rounds: 2)
    }

    /// Products stored before migration 008: the migration rolls them up, and the triggers go on from there.
    @Test func migrationBackfillsExistingProducts() async throws {
        let (store, url) = try await TestPostgres.freshStore()
        var run = InventoryContract.Run(store)
        try await run.writeAndCheck(rounds: 3)
        for sql in [
            "DROP TRIGGER products_inventory_inserted ON products", "DROP TRIGGER products_inventory_updated ON products",
            "DROP TRIGGER products_inventory_deleted ON products", "DROP FUNCTION inventory_rollup_changed()",
            "DROP FUNCTION inventory_rollup_rebuild()", "DROP TABLE inventory_daily",
            "DELETE FROM schema_migrations WHERE name = '008_inventory_rollup'",
        ] {
            try await TestPostgres.execute(sql, url: url)
        }
        #expect(try await store.migrate() == ["008_inventory_rollup"])
        try await run.checkAll()
        try await run.writeAndCheck(rounds: 2)
    }
}
