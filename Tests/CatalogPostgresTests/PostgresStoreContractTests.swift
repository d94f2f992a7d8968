import CatalogCore
import CatalogPostgres
import CatalogTestSupport
import Foundation
import Testing

/// The shared store contract, on the PostgreSQL adapter; each test has a database of its own.
@Suite struct PostgresStoreContractTests {
    func makeStore() async throws -> PostgresCatalogStore { try await TestPostgres.freshStore().store }

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

@Suite struct PostgresStoreTests {
    @Test func migrationsAreRecordedAndIdempotent() async throws {
        let url = try await TestPostgres.freshDatabaseURL()
        let first = try PostgresCatalogStore(url: url)
        #expect(try await first.migrate() == ["001_spine", "002_etl", "003_byte_order_keys", "004_copy_staging", "005_read_path", "006_product_cache", "007_sales_rollup", "008_inventory_rollup", "009_row_fingerprints", "010_sku_spans", "011_task_queue", "012_dashboard_sessions", "013_change_feed", "014_events_webhooks", "015_gtin_mpn", "016_feed_formats", "017_sources", "018_catalog_items"])
        #expect(try await first.appliedMigrations() == ["001_spine", "002_etl", "003_byte_order_keys", "004_copy_staging", "005_read_path", "006_product_cache", "007_sales_rollup", "008_inventory_rollup", "009_row_fingerprints", "010_sku_spans", "011_task_queue", "012_dashboard_sessions", "013_change_feed", "014_events_webhooks", "015_gtin_mpn", "016_feed_formats", "017_sources", "018_catalog_items"])
        let again = try PostgresCatalogStore(url: url)
        #expect(try await again.migrate() == [])
    }

    /// Nodes starting together: the advisory lock lets exactly one of them apply each migration.
    @Test func concurrentMigrationsApplyOnce() async throws {
        let url = try await TestPostgres.freshDatabaseURL()
        let applied = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresCatalogStore(url: url).migrate() } }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(applied.sorted() == ["001_spine", "002_etl", "003_byte_order_keys", "004_copy_staging", "005_read_path", "006_product_cache", "007_sales_rollup", "008_inventory_rollup", "009_row_fingerprints", "010_sku_spans", "011_task_queue", "012_dashboard_sessions", "013_change_feed", "014_events_webhooks", "015_gtin_mpn", "016_feed_formats", "017_sources", "018_catalog_items"])
    }

    /// Two clients stand in for two processes sharing the database.
    @Test func countersStayUniqueAcrossClients() async throws {
        let (one, url) = try await TestPostgres.freshStore()
        let two = try PostgresCatalogStore(url: url)
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<100 {
                let store = index.isMultiple(of: 2) ? one : two
                group.addTask { try await store.nextID(.feed) }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(ids).count == 100)
    }

    @Test func unreachableServerIsStorageUnavailableQuickly() async throws {
        let store = try PostgresCatalogStore(url: "postgres://nobody:x@127.0.0.1:1/none?sslmode=disable")
        let started = ContinuousClock.now
        await #expect(throws: CatalogError.self) { try await store.ping() }
        do {
            _ = try await store.partner(name: "x")
            Issue.record("a query on a closed port succeeded")
        } catch let error as CatalogError {
            #expect(error.code == .storageUnavailable)
        }
        // 3 s for the ping and 5 s for the query on an idle machine; the bound only rules out a hang,
        // since the rest of the suite loads both cores meanwhile (it took 41 s once under a full
        // `make test` beside other builds). OutageTests times a real server.
        #expect(ContinuousClock.now - started < .seconds(120))
    }

    @Test func badURLsAreRefusedClearly() {
        for url in ["mysql://u@h/db", "postgres://h/db", "postgres://u@/db", "postgres://u@h", "postgres://u@h/db?sslmode=maybe"] {
            #expect(throws: CatalogError.self, "\(url)") { try PostgresCatalogStore(url: url) }
        }
    }
}

/// The task queue's contract on the Postgres adapter.
@Suite struct PostgresTaskQueueContractTests {
    func makeStore() async throws -> PostgresCatalogStore { try await TestPostgres.freshStore().store }
    @Test func eachTaskIsClaimedOnceAmongConcurrentClaimers() async throws { try await TaskQueueContract.eachTaskIsClaimedOnceAmongConcurrentClaimers(makeStore()) }
    @Test func anExpiredLeaseIsClaimedAgainAndTheLateOwnerIsIgnored() async throws { try await TaskQueueContract.anExpiredLeaseIsClaimedAgainAndTheLateOwnerIsIgnored(makeStore()) }
    @Test func aRetryWaitsForItsTimeAndKeepsItsError() async throws { try await TaskQueueContract.aRetryWaitsForItsTimeAndKeepsItsError(makeStore()) }
    @Test func aUniqueKeyIsAddedOnce() async throws { try await TaskQueueContract.aUniqueKeyIsAddedOnce(makeStore()) }
    @Test func dueTasksAreClaimedInRunAtOrderAndOnlyOfTheKindsAsked() async throws { try await TaskQueueContract.dueTasksAreClaimedInRunAtOrderAndOnlyOfTheKindsAsked(makeStore()) }
    @Test func tasksOfOneSerialKeyNeverRunTogether() async throws { try await TaskQueueContract.tasksOfOneSerialKeyNeverRunTogether(makeStore()) }
}
