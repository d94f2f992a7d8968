import CatalogCore
import CatalogPostgres
import CatalogSQLite
import CatalogTestSupport
import Foundation
import HummingbirdTesting
import Logging
import Testing

/// The node-local product cache of PostgreSQL mode: it answers what the primary store answers, follows
/// completed jobs within a second, and catches up on jobs it was not told about.
@Suite struct ProductCacheTests {
    struct Cached {
        let app: TestApp
        let cachedApp: TestApp
        let sync: ProductCacheSync
        let cache: SQLiteProductCache
    }

    /// A PostgreSQL app, and the same catalog reading active products through a cache built now.
    static func cached(events: JobEvents? = nil, catchUpInterval: TimeInterval = 60,
                       before: (TestApp) async throws -> Void) async throws -> Cached {
        let app = try await TestApp.make(.postgres)
        try await before(app)
        let store = try #require(app.catalog.store as? PostgresCatalogStore)
        let cache = try SQLiteProductCache(path: app.directory.path + "/cache/products.sqlite")
        var logger = Logger(label: "test-cache")
        logger.logLevel = .error
        let sync = ProductCacheSync(source: store, cache: cache, events: events ?? app.catalog.events,
                                    catchUpInterval: catchUpInterval, logger: logger)
        try await sync.build()
        let cachedApp = TestApp(
            directory: app.directory, catalog: app.catalog.readingProducts(from: CachedProductReader(cache: cache, primary: store)),
            adminKey: app.adminKey, kind: .postgres, databaseURL: app.databaseURL)
        return Cached(app: app, cachedApp: cachedApp, sync: sync, cache: cache)
    }

    static func normalized(_ items: [[String: Any]]) throws -> [String] {
        try items.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: .sortedKeys), as: UTF8.self) }
    }

    /// Polls until `condition` holds; returns the seconds it took, or nil after `timeout`.
    static func waitUntil(timeout: TimeInterval, _ condition: () async throws -> Bool) async throws -> TimeInterval? {
        let start = Date()
        while Date().timeIntervalSince(start) < timeout {
            if try await condition() { return Date().timeIntervalSince(start) }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    @Test func theCacheAnswersWhatPostgreSQLAnswersAndFollowsJobsWithinASecond() async throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        var random = SeededRandom(seed: seed)
        let first = ProductPagingTests.generate(40, partner: "acme", prefix: "A", firstNumber: 1, load: 0, using: &random)
        let changes = ProductPagingTests.generate(15, partner: "acme", prefix: "A", firstNumber: 0, load: 0, using: &random)
        let added = ProductPagingTests.generate(10, partner: "acme", prefix: "B", firstNumber: 0, load: 0, using: &random)
        let key = TestState("")
        let setup = try await Self.cached { app in
            let (_, partnerKey) = try await app.createPartner("acme")
            key.value = partnerKey
            try await app.testWithWorker { client in try await client.load(ProductPagingTests.csv(first), key: partnerKey) }
        }
        #expect(try await setup.cache.count() == 40)
        let running = Task { await setup.sync.run() }
        defer { running.cancel() }
        let admin = setup.app.adminKey
        try await setup.cachedApp.testWithWorker { client in
            // Changes through a job: some products updated, new ones, then a full feed that deactivates some.
            try await client.load(ProductPagingTests.csv(changes + added), key: key.value)
            let elapsed = try await Self.waitUntil(timeout: 1) {
                try await client.get("/products?sku=B-9", key: admin).items.count == 1
            }
            #expect(elapsed != nil, "a completed job's products reach the cache within 1 s")
            try await client.load(ProductPagingTests.csv(Array(first.prefix(30)) + added), key: key.value, query: "mode=full")
            #expect(try await Self.waitUntil(timeout: 1) { try await setup.cache.count() == 40 } != nil)

            // Every sort and order, and a filter: the cache's pages are the primary store's.
            try await setup.app.test { primary in
                for sort in ProductSort.allCases {
                    for order in CatalogCore.SortOrder.allCases {
                        for extra in ["", "&brand=Acme", "&q=a&min_price=1"] {
                            let uri = "/products?sort_by=\(sort.rawValue)&order=\(order.rawValue)&limit=7" + extra
                            let fromCache = try await client.walk(uri, key: admin)
                            let fromPrimary = try await primary.walk(uri, key: admin)
                            #expect(try Self.normalized(fromCache) == Self.normalized(fromPrimary), "seed \(seed): \(uri)")
                        }
                    }
                }
                // Single products: the same body and ETag; inactive ones come from the primary store.
                for id in ["PR00001", "PR00035", "PR00045"] {
                    let cached = try await client.get("/products/\(id)", key: admin)
                    let direct = try await primary.get("/products/\(id)", key: admin)
                    #expect(cached.status == direct.status)
                    #expect(cached.headers[.eTag] == direct.headers[.eTag], "\(id)")
                }
                #expect(try await client.get("/products/PR00035", key: admin).json["status"] as? String == "inactive")
                let inactive = try await client.walk("/products?status=inactive&limit=50", key: admin)
                #expect(inactive.count == 10)

                // Active products are read from the cache indeed: a row only the cache holds shows there only.
                var marker = try #require(try await setup.cache.product(id: "PR00001"))
                marker.productName = "only in the cache"
                try await setup.cache.apply([marker])
                #expect(try await client.get("/products/PR00001", key: admin).json["product_name"] as? String == "only in the cache")
                #expect(try await client.get("/products?sku=\(marker.sku)", key: admin).items.first?["product_name"] as? String
                    == "only in the cache")
                #expect(try await primary.get("/products/PR00001", key: admin).json["product_name"] as? String != "only in the cache")
            }
        }
    }

    @Test func missedNotificationsAreCaughtUp() async throws {
        let key = TestState("")
        // The cache listens to events nobody fires: only its periodic catch-up can find the job.
        let setup = try await Self.cached(events: JobEvents(), catchUpInterval: 0.2) { app in
            let (_, partnerKey) = try await app.createPartner("acme")
            key.value = partnerKey
        }
        let running = Task { await setup.sync.run() }
        defer { running.cancel() }
        try await setup.cachedApp.testWithWorker { client in
            try await client.load("sku,product_name,price\nA-1,Alpha,1.50\n", key: key.value)
            #expect(try await Self.waitUntil(timeout: 3) { try await setup.cache.count() == 1 } != nil)
            #expect(try await client.get("/products", key: key.value).items.first?["price"] as? Double == 1.5)
        }
    }
}
