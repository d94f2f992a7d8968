import CatalogCore
import CatalogTestSupport
import Foundation
import Synchronization
import HTTPTypes
import HummingbirdTesting
import Testing

/// §Products "Product changes": the compacted, commit-ordered feed as JSON pages.
@Suite struct ProductChangesTests {
    struct Page {
        let changes: [(token: String, product: [String: Any])]
        let next: String
    }

    static func page(_ client: any TestClientProtocol, since: String, key: String, extra: String = "") async throws -> Page {
        let response = try await client.get("/products/changes?since=\(since)\(extra)", key: key)
        guard response.status == .ok else { throw ReadPathTestError(description: "changes → \(response.status): \(String(buffer: response.body))") }
        let json = response.json
        let items = json["items"] as? [[String: Any]] ?? []
        #expect(json["count"] as? Int == items.count)
        return Page(changes: items.map { ($0["change"] as! String, $0["product"] as! [String: Any]) }, next: json["next_since"] as! String)
    }

    /// Every change after `since`, page by page; the tokens only ever grow.
    static func walk(_ client: any TestClientProtocol, since: String = "0", key: String, limit: Int = 100, extra: String = "")
        async throws -> (changes: [(token: String, product: [String: Any])], next: String)
    {
        var all: [(token: String, product: [String: Any])] = []
        var since = since
        while true {
            let page = try await page(client, since: since, key: key, extra: "&limit=\(limit)" + extra)
            all += page.changes
            since = page.next
            if page.changes.count < limit { return (all, since) }
        }
    }

    static func order(_ token: String) -> ChangeToken { (try? ChangeToken.decode(token)) ?? .start }

    @Test(arguments: StoreKind.allCases)
    func aFullSyncThenDeltasWithTombstones(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            let empty = try await Self.page(client, since: "0", key: key)
            #expect(empty.changes.isEmpty && empty.next == "0")
            _ = try await client.load("sku,product_name,price\nA,Alpha,1.00\nB,Beta,2.00\nC,Gamma,3.00\n", key: key)
            let first = try await Self.walk(client, key: key)
            #expect(first.changes.map { $0.product["sku"] as? String } == ["A", "B", "C"])
            #expect(first.changes.map { $0.token } == first.changes.map { $0.token }.sorted { Self.order($0) < Self.order($1) })

            // A delta: one update and one insert; the unchanged rows are no change at all.
            _ = try await client.load("sku,product_name,price\nA,Alpha,1.00\nB,Beta,2.50\nD,Delta,4.00\n", key: key)
            let delta = try await Self.walk(client, since: first.next, key: key)
            #expect(delta.changes.map { "\($0.product["sku"]!)=\($0.product["price"]!)" } == ["B=2.5", "D=4"])

            // A full feed deactivates C: a tombstone.
            _ = try await client.load("sku,product_name,price\nA,Alpha,1.00\nB,Beta,2.50\nD,Delta,4.00\n", key: key, query: "mode=full")
            let tombstones = try await Self.walk(client, since: delta.next, key: key)
            #expect(tombstones.changes.map { "\($0.product["sku"]!):\($0.product["status"]!)" } == ["C:inactive"])
            let nothing = try await Self.page(client, since: tombstones.next, key: key)
            #expect(nothing.changes.isEmpty && nothing.next == tombstones.next)

            // Compacted: from 0 each product once, at its latest change, in commit order; pages of one agree.
            let again = try await Self.walk(client, key: key)
            #expect(again.changes.map { "\($0.product["sku"]!)" } == ["A", "B", "D", "C"])
            #expect(again.changes.first { $0.product["sku"] as? String == "B" }?.product["price"] as? Double == 2.5)
            let byOne = try await Self.walk(client, key: key, limit: 1)
            #expect(byOne.changes.map { $0.token } == again.changes.map { $0.token } && byOne.next == again.next)
            let products = try await client.walk("/products?status=all&limit=200", key: app.adminKey)
            for change in again.changes {
                let product = try #require(products.first { $0["product_id"] as? String == change.product["product_id"] as? String })
                #expect(NSDictionary(dictionary: product) == NSDictionary(dictionary: change.product), "the feed shows the product as /products does")
            }
        }
    }

    @Test func badTokensAndLimitsAreRefused() async throws {
        let app = try await TestApp.make()
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            _ = try await client.load("sku,product_name,price\nA,Alpha,1.00\n", key: key)
            let token = try await Self.page(client, since: "0", key: key).next
            var edited = Array(token)
            edited[0] = edited[0] == "1" ? "2" : "1"
            let future = ChangeToken(position: 999, seq: 1).encoded
            for since in ["garbage", String(edited), future, "1-2", "-1"] {
                let response = try await client.get("/products/changes?since=\(since)", key: key)
                #expect(response.status == .badRequest, "\(since)")
                #expect(response.errorCode == "VALIDATION_ERROR" && response.errorDetails["parameter"] as? String == "since", "\(since)")
            }
            for limit in ["0", "1001", "x"] {
                #expect(try await client.get("/products/changes?limit=\(limit)", key: key).status == .badRequest)
            }
            #expect(try await client.get("/products/changes?sincee=0", key: key).status == .badRequest)
            #expect(try await client.get("/products/changes", key: nil).status == .unauthorized)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func partnerKeysSeeTheirOwnChanges(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, acme) = try await app.createPartner("acme")
        let (_, rival) = try await app.createPartner("rival")
        let reader = try await app.createKey(.reader)
        try await app.testWithWorker { client in
            _ = try await client.load("sku,product_name,price\nA,Alpha,1.00\n", key: acme)
            _ = try await client.load("sku,product_name,price\nR1,Rho,1.00\nR2,Sigma,1.00\n", key: rival)
            #expect(try await Self.walk(client, key: acme).changes.map { $0.product["sku"] as? String } == ["A"])
            #expect(try await Self.walk(client, key: rival).changes.count == 2)
            #expect(try await Self.walk(client, key: acme, extra: "&partner_name=rival").changes.isEmpty)
            #expect(try await Self.walk(client, key: reader).changes.count == 3)
            #expect(try await Self.walk(client, key: app.adminKey, extra: "&partner_name=rival").changes.count == 2)
        }
    }

    /// Jobs of several partners commit while a reader walks the feed: walking on from each
    /// `next_since` misses nothing and repeats no change, and ends with every product's final state.
    @Test(arguments: StoreKind.allCases)
    func aWalkDuringConcurrentJobsEndsWithEveryFinalState(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        var keys: [String] = []
        for partner in ["p1", "p2", "p3"] { keys.append(try await app.createPartner(partner).1) }
        let partnerKeys = keys
        try await app.test { client in
            let workers = (0..<3).map { app.worker("w\($0)") }
            let running = workers.map { worker in Task { await worker.run() } }
            defer { running.forEach { $0.cancel() } }
            let done = WritersDone()
            let writers = Task {
                defer { done.flag.store(true, ordering: .sequentiallyConsistent) }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, key) in partnerKeys.enumerated() {
                        group.addTask {
                            var random = SeededRandom(seed: UInt64(index + 1))
                            for round in 0..<6 {
                                var csv = "sku,product_name,price\n"
                                for sku in 0..<40 where Int.random(in: 0..<3, using: &random) > 0 {
                                    csv += "S\(sku),Product \(sku),\(round).\(Int.random(in: 10...99, using: &random))\n"
                                }
                                _ = try await client.load(csv, key: key, query: round == 4 ? "mode=full" : "")
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            var state: [String: [String: Any]] = [:]
            var seen = Set<String>()
            var since = "0"
            var last = ChangeToken.start
            while true {
                let finished = done.flag.load(ordering: .sequentiallyConsistent)
                let (changes, next) = try await Self.walk(client, since: since, key: app.adminKey, limit: 7)
                for change in changes {
                    #expect(!seen.contains(change.token), "a change repeated")
                    seen.insert(change.token)
                    #expect(Self.order(change.token) > last, "tokens go back")
                    last = Self.order(change.token)
                    state[change.product["product_id"] as! String] = change.product
                }
                since = next
                // The walk that began after the last job committed has read everything.
                if finished { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            try await writers.value
            let (tail, _) = try await Self.walk(client, since: since, key: app.adminKey)
            for change in tail { state[change.product["product_id"] as! String] = change.product }
            let products = try await client.walk("/products?status=all&limit=200", key: app.adminKey)
            #expect(products.count == state.count, "products \(products.count), in the feed \(state.count)")
            for product in products {
                let id = product["product_id"] as! String
                #expect(NSDictionary(dictionary: state[id] ?? [:]) == NSDictionary(dictionary: product), "\(id)")
            }
        }
    }
}

final class WritersDone: Sendable {
    let flag = Atomic<Bool>(false)
}
