import CatalogCore
import CatalogFileStore
import CatalogPostgres
import CatalogSQLite
import CatalogTestSupport
import Foundation
import HummingbirdTesting
import Logging
import Testing

/// PostgreSQL mode's read model: each node's SQLite copy of the products, copied from a snapshot at
/// start and following the change feed (§Products: every node serves a job's changes within 1 s, the
/// node that answered `run?wait=true` at once).
@Suite struct ProductCacheTests {
    /// A second node on `app`'s database: its own cache, copied now, and its own follower.
    struct Node {
        let app: TestApp
        let cache: SQLiteProductCache
        let follower: ProductFeedFollower
        let running: BackgroundTask
    }

    static func node(of app: TestApp, events: JobEvents = JobEvents(), catchUpInterval: TimeInterval = 60, name: String = "node2")
        async throws -> Node
    {
        let store = try PostgresCatalogStore(url: try #require(app.databaseURL))
        let cache = try SQLiteProductCache(path: app.directory.path + "/\(name)/products.sqlite")
        var logger = Logger(label: "test-cache")
        logger.logLevel = .error
        let catalog = Catalog(store: store, objects: try FileObjectStore(root: app.directory.path + "/objects"), maxUploadBytes: 1 << 30,
                              events: events)
        let follower = ProductFeedFollower(
            log: store, cache: cache, items: cache, listeners: catalog.changeListeners, events: events, catchUpInterval: catchUpInterval, logger: logger)
        try await follower.start(snapshot: store)
        let running = BackgroundTask { await follower.run() }
        return Node(app: app.node(catalog: catalog.withReadModel(FollowedReadModel(reader: cache, follower: follower))),
                    cache: cache, follower: follower, running: running)
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

    /// Read your writes, many rounds: right after `run?wait=true` the same node lists the job's
    /// inserts, updates and deactivations, of every status.
    @Test func theNodeThatRanTheJobServesItsChangesAtOnce() async throws {
        let app = try await TestApp.make(.postgres)
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            var random = SeededRandom(seed: 7)
            var expected: [String: String] = [:]  // sku → price text, active ones
            for round in 0..<8 {
                var lines = ["sku,product_name,price"]
                for index in 0..<30 where Bool.random(using: &random) || round == 0 {
                    let price = "\(Int.random(in: 1...9, using: &random)).\(round)0"
                    lines.append("S-\(index),Product \(index),\(price)")
                }
                let full = round % 3 == 2
                let skus = Set(lines.dropFirst().map { String($0.split(separator: ",")[0]) })
                for line in lines.dropFirst() {
                    let fields = line.split(separator: ",").map(String.init)
                    expected[fields[0]] = fields[2]
                }
                if full { expected = expected.filter { skus.contains($0.key) } }
                _ = try await client.load(lines.joined(separator: "\n") + "\n", key: key, query: full ? "mode=full" : "")
                let listed = try await client.walk("/products?limit=200", key: app.adminKey)
                let actual = Dictionary(uniqueKeysWithValues: listed.map { ($0["sku"] as! String, "\($0["price"]!)") })
                #expect(actual.keys.sorted() == expected.keys.sorted(), "round \(round)")
                for (sku, price) in expected { #expect(Double(actual[sku] ?? "") == Double(price), "round \(round) \(sku)") }
                let inactive = try await client.walk("/products?status=inactive&limit=200", key: app.adminKey)
                #expect(Set(inactive.map { $0["sku"] as! String }).isDisjoint(with: expected.keys), "round \(round)")
                #expect(inactive.count + listed.count == 30 || round == 0, "round \(round): every SKU seen is active or inactive")
            }
        }
    }

    /// Two nodes: a job through one is served by the other within 1 s, and a node started after the
    /// job serves it from its snapshot.
    @Test func aJobThroughOneNodeReachesTheOthers() async throws {
        let app = try await TestApp.make(.postgres)
        let (_, key) = try await app.createPartner("acme")
        let second = try await Self.node(of: app, events: app.catalog.events)
        try await app.testWithWorker { client in
            _ = try await client.load("sku,product_name,price\nA-1,Alpha,1.00\nA-2,Beta,2.00\n", key: key)
        }
        try await second.app.test { client in
            let elapsed = try await Self.waitUntil(timeout: 1) { try await client.get("/products", key: key).items.count == 2 }
            #expect(elapsed != nil, "the second node within 1 s")
        }
        let late = try await Self.node(of: app, name: "late")
        try await late.app.test { client in
            let listed = try await client.get("/products", key: key)
            let single = try await client.get("/products/PR00002", key: key)
            #expect(listed.items.count == 2)
            #expect(single.json["product_name"] as? String == "Beta")
        }
        // Both copies are what the other node serves, every sort.
        try await app.test { first in
            try await second.app.test { other in
                for sort in ProductSort.allCases {
                    let uri = "/products?sort_by=\(sort.rawValue)&order=desc&limit=1&status=all"
                    let mine = try Self.normalized(try await first.walk(uri, key: app.adminKey))
                    let theirs = try Self.normalized(try await other.walk(uri, key: app.adminKey))
                    #expect(mine == theirs, "\(uri)")
                }
            }
        }
    }

    @Test func missedNotificationsAreCaughtUp() async throws {
        let app = try await TestApp.make(.postgres)
        let (_, key) = try await app.createPartner("acme")
        // This node listens to events nobody fires: only its periodic catch-up can find the job.
        let deaf = try await Self.node(of: app, catchUpInterval: 0.2)
        try await app.testWithWorker { client in
            _ = try await client.load("sku,product_name,price\nA-1,Alpha,1.50\n", key: key)
        }
        #expect(try await Self.waitUntil(timeout: 3) { try await deaf.cache.count() == 1 } != nil)
        try await deaf.app.test { client in
            let listed = try await client.get("/products", key: key)
            #expect(listed.items.first?["price"] as? Double == 1.5)
        }
    }

    /// A batch larger than a page becomes visible in the cache all at once.
    @Test func aLargeBatchIsPublishedTogether() async throws {
        let app = try await TestApp.make(.postgres)
        let (_, key) = try await app.createPartner("acme")
        let watcher = try await Self.node(of: app, name: "watcher")
        let rows = (0..<25_000).map { "S-\($0),Product \($0),1.00" }.joined(separator: "\n")
        try await app.testWithWorker { client in
            _ = try await client.load("sku,product_name,price\n" + rows + "\n", key: key)
        }
        let seen = TestState(Set<Int>())
        let counting = Task {
            while !Task.isCancelled {
                let count = (try? await watcher.cache.count()) ?? -1
                seen.value.insert(count)
                if count == 25_000 { return }
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
        _ = try await watcher.follower.catchUp()
        await counting.value
        #expect(seen.value.isSubset(of: [0, 25_000]), "the cache showed part of the batch: \(seen.value.sorted().prefix(5))")
    }
}
