import CatalogCore
import CatalogSQLite
import CatalogTestSupport
import Foundation
import GRDB
import Testing

/// The shared store contract, on the embedded SQLite adapter.
@Suite struct SQLiteStoreContractTests {
    let directory = TemporaryDirectory()

    func makeStore() throws -> SQLiteCatalogStore {
        try SQLiteCatalogStore(path: directory.path + "/catalog.sqlite")
    }

    @Test func idsAreSequentialPerKind() async throws { try await CatalogStoreContract.idsAreSequentialPerKind(makeStore()) }
    @Test func idsAreUniqueUnderConcurrency() async throws { try await CatalogStoreContract.idsAreUniqueUnderConcurrency(makeStore()) }
    @Test func partnersAreUniqueByName() async throws { try await CatalogStoreContract.partnersAreUniqueByName(makeStore()) }
    @Test func partnersPageInOrder() async throws { try await CatalogStoreContract.partnersPageInOrder(makeStore()) }
    @Test func keysAuthenticateUntilRevoked() async throws { try await CatalogStoreContract.keysAuthenticateUntilRevoked(makeStore()) }
    @Test func feedsAreCreatedWithTheirJobs() async throws { try await CatalogStoreContract.feedsAreCreatedWithTheirJobs(makeStore()) }
    @Test func feedsListNewestFirstWithFilters() async throws {
        try await CatalogStoreContract.feedsListNewestFirstWithFilters(makeStore())
    }
    @Test func idempotencyKeysAreUniquePerPartner() async throws {
        try await CatalogStoreContract.idempotencyKeysAreUniquePerPartner(makeStore())
    }
}

@Suite struct SQLiteStoreTests {
    let directory = TemporaryDirectory()

    @Test func migrationsAreRecordedAndIdempotent() throws {
        let path = directory.path + "/catalog.sqlite"
        let first = try SQLiteCatalogStore(path: path)
        #expect(try first.appliedMigrations() == ["001_spine", "002_etl", "003_diagnostics_by_line", "004_read_path", "005_sales_rollup", "006_row_fingerprints", "007_sku_spans", "008_task_queue", "009_dashboard_sessions", "010_change_feed", "011_events_webhooks", "012_gtin_mpn", "013_feed_formats", "014_sources", "015_catalog_items"])
        let again = try SQLiteCatalogStore(path: path)
        #expect(try again.appliedMigrations() == ["001_spine", "002_etl", "003_diagnostics_by_line", "004_read_path", "005_sales_rollup", "006_row_fingerprints", "007_sku_spans", "008_task_queue", "009_dashboard_sessions", "010_change_feed", "011_events_webhooks", "012_gtin_mpn", "013_feed_formats", "014_sources", "015_catalog_items"])
    }

    @Test func databaseIsInWALMode() throws {
        let path = directory.path + "/catalog.sqlite"
        _ = try SQLiteCatalogStore(path: path)
        let mode = try DatabaseQueue(path: path).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    /// Two store instances on one file stand in for two processes sharing the embedded database.
    @Test func countersStayUniqueAcrossConnections() async throws {
        let path = directory.path + "/catalog.sqlite"
        let one = try SQLiteCatalogStore(path: path)
        let two = try SQLiteCatalogStore(path: path)
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<100 {
                let store = index.isMultiple(of: 2) ? one : two
                group.addTask { try await store.nextID(.feed) }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(ids).count == 100)
    }

    @Test func unwritableLocationIsStorageUnavailable() throws {
        #expect(throws: CatalogError.self) { try SQLiteCatalogStore(path: "/proc/partner-catalog/catalog.sqlite") }
    }
}

/// The task queue's contract on the SQLite adapter.
@Suite struct SQLiteTaskQueueContractTests {
    let directory = TemporaryDirectory()
    func makeStore() throws -> SQLiteCatalogStore { try SQLiteCatalogStore(path: directory.path + "/catalog.sqlite") }
    @Test func eachTaskIsClaimedOnceAmongConcurrentClaimers() async throws { try await TaskQueueContract.eachTaskIsClaimedOnceAmongConcurrentClaimers(makeStore()) }
    @Test func anExpiredLeaseIsClaimedAgainAndTheLateOwnerIsIgnored() async throws { try await TaskQueueContract.anExpiredLeaseIsClaimedAgainAndTheLateOwnerIsIgnored(makeStore()) }
    @Test func aRetryWaitsForItsTimeAndKeepsItsError() async throws { try await TaskQueueContract.aRetryWaitsForItsTimeAndKeepsItsError(makeStore()) }
    @Test func aUniqueKeyIsAddedOnce() async throws { try await TaskQueueContract.aUniqueKeyIsAddedOnce(makeStore()) }
    @Test func dueTasksAreClaimedInRunAtOrderAndOnlyOfTheKindsAsked() async throws { try await TaskQueueContract.dueTasksAreClaimedInRunAtOrderAndOnlyOfTheKindsAsked(makeStore()) }
    @Test func tasksOfOneSerialKeyNeverRunTogether() async throws { try await TaskQueueContract.tasksOfOneSerialKeyNeverRunTogether(makeStore()) }
}
