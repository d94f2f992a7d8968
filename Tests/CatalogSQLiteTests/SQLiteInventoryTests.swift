import CatalogCore
import CatalogSQLite
import CatalogTestSupport
import Testing

/// Inventory on the embedded store (read from the products) against the same independent computation
/// as PostgreSQL's rollup.
@Suite struct SQLiteInventoryTests {
    let directory = TemporaryDirectory()

    @Test func inventoryMatchesIndependentFigures() async throws {
        var run = InventoryContract.Run(try SQLiteCatalogStore(path: directory.path + "/catalog.sqlite"))
        try await run.writeAndCheck(rounds: 10)
    }
}
