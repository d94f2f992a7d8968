import CatalogCore
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// §Sources against a vendor simulator on loopback (`scripts/vendor_sim.py`), through the real libcurl
/// client, the one queue and the ETL, on both stores. One at a time: each starts a simulator and
/// waits on pacing and retries, and together they would crowd the timing tests that run beside them.
@Suite(.serialized) struct SourceFetchTests {
    static func post(_ client: any TestClientProtocol, _ uri: String, _ body: String, key: String) async throws -> TestResponse {
        try await client.execute(
            uri: uri, method: .post, headers: headers(key: key, [.contentType: "application/json"]), body: ByteBuffer(string: body))
    }

    static func createSource(_ client: any TestClientProtocol, _ body: String, key: String) async throws -> [String: Any] {
        let response = try await post(client, "/sources", body, key: key)
        guard response.status == .created else { throw ReadPathTestError(description: "POST /sources: \(String(buffer: response.body))") }
        return response.json
    }

    /// Asks for a fetch, runs it, and returns the finished fetch.
    static func fetchNow(_ app: TestApp, _ client: any TestClientProtocol, _ id: String, key: String) async throws -> [String: Any] {
        let queued = try await post(client, "/sources/\(id)/fetch", "", key: key)
        #expect(queued.status == .accepted && queued.json["status"] as? String == "queued")
        #expect(try await app.fetchWorker().runOnce())
        let fetches = try await client.get("/sources/\(id)/fetches", key: key).items
        return try #require(fetches.first)
    }

    /// Waits for the feed's validation job, which the fetch queued to run at once, and returns it.
    /// Then waits until this node's read model has the job's changes, as a user's next page would.
    static func job(of fetch: [String: Any], _ app: TestApp, _ client: any TestClientProtocol, key: String) async throws -> [String: Any] {
        let feedID = try #require(fetch["feed_id"] as? String, "\(fetch)")
        let feed = try await client.get("/feeds/\(feedID)", key: key).json
        #expect(feed["origin"] as? String == "source" && feed["source_id"] != nil)
        let jobID = try #require(feed["validation_job_id"] as? String)
        for _ in 0..<1500 {
            let job = try await client.get("/jobs/\(jobID)", key: key).json
            if job["status"] as? String == "completed" || job["status"] as? String == "failed" {
                if let position = try await app.catalog.store.job(id: jobID)?.changePosition {
                    #expect(await app.catalog.readModel.waitUntilApplied(position, timeout: 5))
                }
                return job
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ReadPathTestError(description: "job \(jobID) did not finish")
    }

    static func products(_ client: any TestClientProtocol, key: String, query: String = "") async throws -> [String: [String: Any]] {
        let items = try await client.get("/products?limit=100" + query, key: key).items
        return Dictionary(uniqueKeysWithValues: items.map { ($0["sku"] as? String ?? "", $0) })
    }

    @Test(arguments: StoreKind.allCases)
    func aCSVFileIsFetchedThenNotModifiedThenChanged(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store, allowPrivateTargets: true)
        let (_, key) = try await app.createPartner("acme")
        let sim = try await VendorSimulator()
        try await app.testWithWorker { client in
            let source = try await Self.createSource(
                client, #"{"name": "mugs", "url": "\#(sim.base)/csv/products.csv", "schedule": {"every": "6h"}}"#, key: key)
            let id = try #require(source["source_id"] as? String)
            #expect(source["status"] as? String == "active" && source["kind"] as? String == "file" && source["partner_name"] as? String == "acme")
            #expect(source["next_fetch_at"] is String && source["last_fetch"] is NSNull)

            let first = try await Self.fetchNow(app, client, id, key: key)
            #expect(first["status"] as? String == "fetched" && first["http_status"] as? Int == 200 && first["trigger"] as? String == "manual")
            let job = try await Self.job(of: first, app, client, key: key)
            #expect(job["status"] as? String == "completed")
            #expect((job["summary"] as? [String: Any])?["inserted"] as? Int == 5)
            let products = try await Self.products(client, key: key)
            #expect(products.keys.sorted() == ["CSV-1", "CSV-2", "CSV-3", "CSV-4", "CSV-5"])
            #expect("\(products["CSV-3"]?["price"] ?? "")" == "12.5" && products["CSV-3"]?["brand"] as? String == "Acme")

            let second = try await Self.fetchNow(app, client, id, key: key)
            #expect(second["status"] as? String == "not_modified" && second["feed_id"] is NSNull && second["http_status"] as? Int == 304)
            let conditional = try #require(try await sim.log().requests.last?["headers"] as? [String: String])
            #expect(conditional["if-none-match"] == "\"csv-v1\"")
            #expect(try await client.get("/feeds", key: key).items.count == 1, "not_modified creates nothing")

            try await sim.control("/_control/csv/version?v=2")
            let third = try await Self.fetchNow(app, client, id, key: key)
            #expect(third["status"] as? String == "fetched")
            let rerun = try await Self.job(of: third, app, client, key: key)
            #expect((rerun["summary"] as? [String: Any])?["updated"] as? Int == 1)
            #expect("\(try await Self.products(client, key: key)["CSV-1"]?["price"] ?? "")" == "9.99")
            let shown = try await client.get("/sources/\(id)", key: key).json
            #expect((shown["last_fetch"] as? [String: Any])?["fetch_id"] as? String == third["fetch_id"] as? String)
            let events = try await client.get("/events?type=source.fetched", key: key).items
            #expect(events.count == 3 && (events.first?["data"] as? [String: Any])?["source_id"] as? String == id)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aJSONAPIIsWalkedByLinkHeadersAndMapped(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store, allowPrivateTargets: true)
        let (_, key) = try await app.createPartner("acme")
        let sim = try await VendorSimulator()
        try await app.testWithWorker { client in
            let source = try await Self.createSource(client, """
                {"kind": "api", "url": "\(sim.base)/json/products", "auth": {"type": "bearer", "token": "sim-token"},
                 "api": {"records": "data.items", "next": {"type": "link_header"}},
                 "mapping": {"fields": {"sku": "id", "product_name": "title", "price": {"path": "price_cents", "divide_by": 100},
                   "quantity": "stock.qty", "image_url": "images[*].src"}, "keep_unmapped": true}}
                """, key: key)
            let id = try #require(source["source_id"] as? String)
            #expect(source["auth"] as? [String: String] == ["type": "bearer", "token": "****"])
            let fetch = try await Self.fetchNow(app, client, id, key: key)
            #expect(fetch["status"] as? String == "fetched" && fetch["pages"] as? Int == 3, "\(fetch)")
            let job = try await Self.job(of: fetch, app, client, key: key)
            #expect((job["summary"] as? [String: Any])?["inserted"] as? Int == 5, "\(job)")
            let products = try await Self.products(client, key: key)
            #expect(products.keys.sorted() == ["JSON-1", "JSON-2", "JSON-3", "JSON-4", "JSON-5"])
            let first = try #require(products["JSON-1"])
            #expect("\(first["price"] ?? "")" == "25.99" && first["currency"] as? String == "EUR" && first["quantity"] as? Int == 3)
            #expect(first["image_urls"] as? [String] == ["https://img.example.com/json-1-a.jpg", "https://img.example.com/json-1-b.jpg"], "\(first)")
            #expect((first["attributes"] as? [String: Any])?["vendor_color"] as? String == "red", "\(first)")
            let requests = try await sim.log().requests
            #expect(requests.allSatisfy { ($0["headers"] as? [String: String])?["authorization"] == "Bearer sim-token" })
            let raw = try await client.get("/feeds/\(try #require(fetch["feed_id"] as? String))/raw", key: key)
            #expect(String(buffer: raw.body).split(separator: "\n").count == 5, "the records as NDJSON, in page order")

            // A wrong token: the vendor's 401 fails the fetch at once, named in `error`, never showing the token.
            let patched = try await client.execute(
                uri: "/sources/\(id)", method: .patch, headers: headers(key: key, [.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"auth": {"type": "bearer", "token": "wrong-token-123"}}"#))
            #expect(patched.status == .ok && String(buffer: patched.body).contains("wrong-token-123") == false)
            let failed = try await Self.fetchNow(app, client, id, key: key)
            #expect(failed["status"] as? String == "failed" && failed["http_status"] as? Int == 401, "\(failed)")
            #expect((failed["error"] as? String)?.contains("401") == true && (failed["error"] as? String)?.contains("wrong-token") == false)
            #expect(try await client.get("/events?type=source.failed", key: key).items.count == 1)
            let sealed = try await app.rows("SELECT auth, auth_sealed FROM sources")
            #expect(sealed.allSatisfy { !(($0["auth_sealed"] ?? nil) ?? "").contains("wrong-token") && ($0["auth_sealed"] ?? nil) != nil })
        }
    }

    @Test func aCursorAPIIsRetriedOn429AndACutOffPage() async throws {
        let app = try await TestApp.make(allowPrivateTargets: true)
        let (_, key) = try await app.createPartner("acme")
        let sim = try await VendorSimulator()
        try await app.testWithWorker { client in
            let source = try await Self.createSource(client, """
                {"kind": "api", "url": "\(sim.base)/cursor/products", "format": "ndjson",
                 "api": {"records": "records", "next": {"type": "cursor", "path": "next_cursor", "param": "cursor"}}}
                """, key: key)
            let id = try #require(source["source_id"] as? String)
            let fetch = try await Self.fetchNow(app, client, id, key: key)
            #expect(fetch["status"] as? String == "fetched" && fetch["pages"] as? Int == 4, "\(fetch)")
            let job = try await Self.job(of: fetch, app, client, key: key)
            #expect((job["summary"] as? [String: Any])?["inserted"] as? Int == 12, "\(job)")
            let products = try await Self.products(client, key: key)
            #expect(products.count == 12 && "\(products["CUR-12"]?["price"] ?? "")" == "16.25")
            let requests = try await sim.log().requests.filter { ($0["path"] as? String)?.hasPrefix("/cursor/") == true }
            #expect(requests.count == 6, "4 pages, the cut-off one and the 429 once more each: \(requests.map { $0["path"] ?? "" })")
            let third = requests.filter { ($0["path"] as? String)?.contains("cursor=c3") == true }
            #expect(third.count == 2)
            if third.count == 2, let refused = third[0]["ended"] as? Double, let again = third[1]["started"] as? Double {
                #expect(again - refused >= 1.9, "Retry-After: 2 was honoured (\(again - refused) s)")
            }
        }
    }

    @Test func aGzipTSVIsMappedWithTheVendorsWords() async throws {
        let app = try await TestApp.make(allowPrivateTargets: true)
        let (_, key) = try await app.createPartner("acme")
        let sim = try await VendorSimulator()
        try await app.testWithWorker { client in
            let source = try await Self.createSource(client, """
                {"url": "\(sim.base)/tsv/products.tsv.gz", "schedule": {"daily_at": "02:00", "timezone": "Europe/Berlin"},
                 "mapping": {"fields": {"sku": "item", "product_name": "title", "price": "cost",
                   "availability": {"path": "availability", "map": {"Y": "in_stock", "N": "out_of_stock", "Later": "preorder"}}}}}
                """, key: key)
            let id = try #require(source["source_id"] as? String)
            let fetch = try await Self.fetchNow(app, client, id, key: key)
            #expect(fetch["status"] as? String == "fetched", "\(fetch)")
            let feed = try await client.get("/feeds/\(try #require(fetch["feed_id"] as? String))", key: key).json
            #expect(feed["format"] as? String == "tsv" && feed["content_type"] as? String == "application/gzip")
            let job = try await Self.job(of: fetch, app, client, key: key)
            #expect((job["summary"] as? [String: Any])?["inserted"] as? Int == 4, "\(job)")
            let products = try await Self.products(client, key: key)
            #expect(products.mapValues { $0["availability"] as? String ?? "" }
                == ["TSV-1": "in_stock", "TSV-2": "out_of_stock", "TSV-3": "in_stock", "TSV-4": "preorder"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aTruncatedFullFeedDeactivatesNothing(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store, allowPrivateTargets: true)
        let (_, key) = try await app.createPartner("acme")
        let sim = try await VendorSimulator()
        try await app.testWithWorker { client in
            let source = try await Self.createSource(client, #"{"url": "\#(sim.base)/full/products.csv", "mode": "full"}"#, key: key)
            let id = try #require(source["source_id"] as? String)
            let first = try await Self.job(of: try await Self.fetchNow(app, client, id, key: key), app, client, key: key)
            #expect((first["summary"] as? [String: Any])?["inserted"] as? Int == 10)
            try await sim.control("/_control/full/truncate")
            let truncated = try await Self.job(of: try await Self.fetchNow(app, client, id, key: key), app, client, key: key)
            #expect(truncated["status"] as? String == "completed" && truncated["deactivation_skipped"] as? Bool == true, "\(truncated)")
            #expect((truncated["summary"] as? [String: Any])?["deactivated"] as? Int == 0)
            #expect((truncated["message"] as? String)?.contains("Deactivation skipped") == true)
            #expect(try await Self.products(client, key: key).count == 10, "every product still active")
            // The whole file again: a full feed that may deactivate says nothing of a skip.
            try await sim.control("/_control/full/restore")
            let whole = try await Self.job(of: try await Self.fetchNow(app, client, id, key: key), app, client, key: key)
            #expect(whole["deactivation_skipped"] == nil)
        }
    }

    @Test func pageNumbersAndBodyURLsAreFollowed() async throws {
        let app = try await TestApp.make(allowPrivateTargets: true)
        let (_, key) = try await app.createPartner("acme")
        let sim = try await VendorSimulator()
        try await app.testWithWorker { client in
            let pages = try await Self.createSource(client, """
                {"kind": "api", "url": "\(sim.base)/pages/products", "max_requests_per_minute": 600,
                 "api": {"records": "items", "next": {"type": "page", "param": "page", "size_param": "per_page", "size": 3}}}
                """, key: key)
            let byPage = try await Self.fetchNow(app, client, try #require(pages["source_id"] as? String), key: key)
            #expect(byPage["pages"] as? Int == 3 && byPage["status"] as? String == "fetched", "\(byPage)")
            let bodyURL = try await Self.createSource(client, """
                {"kind": "api", "url": "\(sim.base)/bodyurl/products", "api": {"records": "results", "next": {"type": "body_url", "path": "meta.next"}}}
                """, key: key)
            let byURL = try await Self.fetchNow(app, client, try #require(bodyURL["source_id"] as? String), key: key)
            #expect(byURL["pages"] as? Int == 3 && byURL["status"] as? String == "fetched", "\(byURL)")
            _ = try await Self.job(of: byPage, app, client, key: key)
            _ = try await Self.job(of: byURL, app, client, key: key)
            let skus = try await Self.products(client, key: key).keys.sorted()
            #expect(skus == ["BU-1", "BU-2", "BU-3", "BU-4", "BU-5", "PG-1", "PG-2", "PG-3", "PG-4", "PG-5", "PG-6", "PG-7"])
            // 600 a minute: each request at least 0.1 s after the one before.
            let starts = try await sim.log().requests.filter { ($0["path"] as? String)?.hasPrefix("/pages/") == true }.compactMap { $0["started"] as? Double }
            // Measured where the vendor sees them (a request may be seen a little late under load): without
            // pacing the three come within a few milliseconds.
            #expect(starts.count == 3 && (starts.last ?? 0) - (starts.first ?? 0) >= 0.15, "\(starts)")
        }
    }

    @Test func oneHostIsNeverFetchedTwiceAtOnce() async throws {
        let app = try await TestApp.make(allowPrivateTargets: true)
        let (_, key) = try await app.createPartner("acme")
        let sim = try await VendorSimulator()
        try await app.test { client in
            var ids: [String] = []
            for index in 0..<3 {
                let source = try await Self.createSource(
                    client, #"{"url": "\#(sim.base)/slow/products.csv?delay=0.3&n=\#(index)", "max_requests_per_minute": 6000}"#, key: key)
                ids.append(try #require(source["source_id"] as? String))
            }
            var queued: [String] = []
            for id in ids { queued.append(try await Self.post(client, "/sources/\(id)/fetch", "", key: key).json["fetch_id"] as? String ?? "") }
            let again = try await Self.post(client, "/sources/\(ids[0])/fetch", "", key: key)
            #expect(again.status == .accepted && again.json["fetch_id"] as? String == queued[0], "a queued fetch is not asked for twice")
            let workers = (0..<3).map { app.fetchWorker("fetcher-\($0)") }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in workers { group.addTask { while try await worker.runOnce() {} } }
                try await group.waitForAll()
            }
            for id in ids {
                #expect(try await client.get("/sources/\(id)/fetches", key: key).items.first?["status"] as? String == "fetched")
            }
            let log = try await sim.log()
            #expect(log.requests.count == 3 && log.maxConcurrent.values.allSatisfy { $0 == 1 }, "\(log.maxConcurrent)")
        }
    }

    @Test func schedulesFetchByThemselvesAndFiveFailuresPause() async throws {
        let clock = TestClock(Date())
        let app = try await TestApp.make(clock: clock, allowPrivateTargets: true)
        let (_, key) = try await app.createPartner("acme")
        let sim = try await VendorSimulator()
        try await app.test { client in
            let source = try await Self.createSource(client, #"{"url": "\#(sim.base)/csv/products.csv", "schedule": {"every": "15m"}}"#, key: key)
            let id = try #require(source["source_id"] as? String)
            let worker = app.fetchWorker()
            #expect(try await worker.runOnce() == false, "not due yet")
            clock.advance(by: 15 * 60 + 1)
            #expect(try await worker.runOnce())
            #expect(try await worker.runOnce() == false, "the next one is 15 minutes later")
            let fetch = try #require(try await client.get("/sources/\(id)/fetches", key: key).items.first)
            #expect(fetch["trigger"] as? String == "schedule" && fetch["status"] as? String == "fetched", "\(fetch)")
            let shown = try await client.get("/sources/\(id)", key: key).json
            let next = try #require((shown["next_fetch_at"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
            #expect(abs(next.timeIntervalSince(clock.now()) - 15 * 60) < 2, "next at \(next), now \(clock.now())")

            // The vendor's file is gone: five scheduled failures in a row pause the source.
            let moved = try await client.execute(
                uri: "/sources/\(id)", method: .patch, headers: headers(key: key, [.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"url": "\#(sim.base)/gone.csv"}"#))
            #expect(moved.status == .ok)
            for _ in 0..<5 {
                clock.advance(by: 15 * 60 + 1)
                // The fetch due under the old URL ends without fetching: the change rescheduled it.
                while try await worker.runOnce() {}
            }
            let failed = try await client.get("/sources/\(id)/fetches", key: key).items.filter { $0["status"] as? String == "failed" }
            #expect(failed.count == 5 && failed.allSatisfy { $0["trigger"] as? String == "schedule" && $0["http_status"] as? Int == 404 })
            let paused = try await client.get("/sources/\(id)", key: key).json
            #expect(paused["status"] as? String == "paused" && paused["next_fetch_at"] is NSNull, "\(paused)")
            #expect(try await client.get("/events?type=source.paused", key: key).items.count == 1)
            clock.advance(by: 3600)
            #expect(try await worker.runOnce() == false, "a paused source is not fetched")

            // Resumed (the vendor's file back): scheduled again from now, its failures forgotten.
            let resumed = try await client.execute(
                uri: "/sources/\(id)", method: .patch, headers: headers(key: key, [.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"status": "active", "url": "\#(sim.base)/csv/products.csv"}"#))
            #expect(resumed.status == .ok && resumed.json["status"] as? String == "active")
            let again = try #require((resumed.json["next_fetch_at"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
            #expect(abs(again.timeIntervalSince(clock.now()) - 15 * 60) < 2)
            clock.advance(by: 15 * 60 + 1)
            while try await worker.runOnce() {}
            let latest = try #require(try await client.get("/sources/\(id)/fetches", key: key).items.first)
            // The same file as the first fetch: the vendor answers 304 to the validators kept from it.
            #expect(latest["status"] as? String == "not_modified" && latest["trigger"] as? String == "schedule", "\(latest)")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func twoNodesRunAScheduledFetchOnce(_ store: StoreKind) async throws {
        let clock = TestClock(Date())
        let app = try await TestApp.make(store, clock: clock, allowPrivateTargets: true)
        let (_, key) = try await app.createPartner("acme")
        let sim = try await VendorSimulator()
        try await app.test { client in
            _ = try await Self.createSource(client, #"{"url": "\#(sim.base)/csv/products.csv", "schedule": {"every": "1h"}}"#, key: key)
            // Both nodes queue the same scheduled fetch again, as every node may: it stays one task.
            clock.advance(by: 3601)
            let workers = [app.fetchWorker("node-a"), app.fetchWorker("node-b")]
            let ran = try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in workers { group.addTask { var count = 0; while try await worker.runOnce() { count += 1 }; return count } }
                return try await group.reduce(0, +)
            }
            #expect(ran == 1)
            #expect(try await sim.log().requests.count == 1)
        }
    }

    @Test func privateTargetsAndSecretsAreGuarded() async throws {
        let app = try await TestApp.make(allowPrivateTargets: false)
        let (_, key) = try await app.createPartner("acme")
        try await app.test { client in
            let refused = try await Self.post(client, "/sources", #"{"url": "http://127.0.0.1:9/products.csv"}"#, key: key)
            #expect(refused.status == .badRequest && refused.errorDetails["parameter"] as? String == "url", "\(String(buffer: refused.body))")
            let credentials = try await Self.post(client, "/sources", #"{"url": "https://user:pw@vendor.example/p.csv"}"#, key: key)
            #expect(credentials.status == .badRequest && credentials.errorDetails["parameter"] as? String == "url")
            let badMapping = try await Self.post(client, "/sources", #"{"url": "https://vendor.example/p.csv", "mapping": {"fields": {"colour": "c"}}}"#, key: key)
            #expect(badMapping.status == .badRequest && badMapping.errorDetails["unknown_columns"] as? [String] == ["colour"])
            let badSchedule = try await Self.post(client, "/sources", #"{"url": "https://vendor.example/p.csv", "schedule": {"every": "soon"}}"#, key: key)
            #expect(badSchedule.status == .badRequest && badSchedule.errorDetails["parameter"] as? String == "schedule.every")
            let other = try await Self.post(client, "/sources", #"{"url": "https://vendor.example/p.csv", "partner_name": "rival"}"#, key: key)
            #expect(other.status == .forbidden)
        }
        let keyless = try await TestApp.make(allowPrivateTargets: true, secretKey: nil)
        let (_, partnerKey) = try await keyless.createPartner("acme")
        try await keyless.test { client in
            let response = try await Self.post(
                client, "/sources", #"{"url": "https://vendor.example/p.csv", "auth": {"type": "bearer", "token": "t"}}"#, key: partnerKey)
            #expect(response.status == .badRequest && response.errorDetails["parameter"] as? String == "auth")
            #expect(String(buffer: response.body).contains("CATALOG_SECRET_KEY"))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aFetchOfADeletedSourceEndsAndItsFeedsStay(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store, allowPrivateTargets: true)
        let (_, key) = try await app.createPartner("acme")
        try await app.test { client in
            let source = try await Self.createSource(client, #"{"url": "http://127.0.0.1:9/p.csv", "schedule": {"every": "1h"}}"#, key: key)
            let id = try #require(source["source_id"] as? String)
            let fetch = try await Self.post(client, "/sources/\(id)/fetch", "", key: key).json
            let deleted = try await client.execute(uri: "/sources/\(id)", method: .delete, headers: headers(key: key))
            #expect(deleted.status == .noContent)
            #expect(try await client.get("/sources/\(id)", key: key).status == .notFound)
            #expect(try await client.get("/sources", key: key).items.isEmpty)
            #expect(try await app.fetchWorker().runOnce())
            let ended = try #require(try await app.catalog.store.fetches(sourceID: id, PageRequest(limit: 10, after: nil)).items.first)
            #expect(ended.fetchID == fetch["fetch_id"] as? String && ended.status == .failed && ended.error?.contains("deleted") == true)
            #expect(try await app.rows("SELECT auth_sealed FROM sources").allSatisfy { ($0["auth_sealed"] ?? nil) == nil })
        }
    }

    @Test func theUploadLimitHoldsWhileAFileStreams() async throws {
        let app = try await TestApp.make(maxUploadBytes: 100, allowPrivateTargets: true)
        let (_, key) = try await app.createPartner("acme")
        let sim = try await VendorSimulator()
        try await app.test { client in
            let source = try await Self.createSource(client, #"{"url": "\#(sim.base)/csv/products.csv"}"#, key: key)
            let fetch = try await Self.fetchNow(app, client, try #require(source["source_id"] as? String), key: key)
            #expect(fetch["status"] as? String == "failed" && fetch["feed_id"] is NSNull, "\(fetch)")
            #expect((fetch["error"] as? String)?.contains("100 bytes") == true, "\(fetch)")
            #expect(try await client.get("/feeds", key: key).items.isEmpty)
            #expect(app.storedObjects.isEmpty, "nothing of the cut-off file is kept")
        }
    }
}
