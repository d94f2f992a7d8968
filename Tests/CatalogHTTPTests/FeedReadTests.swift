import CatalogCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct FeedReadTests {
    @Test(arguments: StoreKind.allCases)
    func feedsListNewestFirstWithFiltersAndCursors(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let orders = try Fixture.bytes("orders-clean.csv")
        try await app.test { client in
            for partner in ["acme", "rival", "acme"] {
                _ = try await client.uploadRaw(sampleCSV, key: app.adminKey, query: "partner_name=\(partner)")
            }
            _ = try await client.uploadRaw(orders, key: app.adminKey, query: "partner_name=acme&feed_type=orders")

            let all = try await client.get("/feeds", key: app.adminKey)
            #expect(all.items.map { $0["feed_id"] as? String } == ["FD00004", "FD00003", "FD00002", "FD00001"])
            let acme = try await client.get("/feeds?partner_name=acme&feed_type=products&limit=1", key: app.adminKey)
            #expect(acme.items.map { $0["feed_id"] as? String } == ["FD00003"])
            let cursor = try #require(acme.json["next_cursor"] as? String)
            let next = try await client.get("/feeds?partner_name=acme&feed_type=products&limit=1&cursor=\(cursor)", key: app.adminKey)
            #expect(next.items.map { $0["feed_id"] as? String } == ["FD00001"])
            #expect(next.json["next_cursor"] is NSNull)

            let otherQuery = try await client.get("/feeds?partner_name=rival&limit=1&cursor=\(cursor)", key: app.adminKey)
            #expect(otherQuery.status == .badRequest)
            #expect(otherQuery.errorDetails["parameter"] as? String == "cursor")

            let uploaded = try await client.get("/feeds?status=uploaded", key: app.adminKey)
            #expect(uploaded.json["count"] as? Int == 4)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func partnerKeysSeeTheirOwnFeedsAndJobsOnly(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, acmeKey) = try await app.createPartner("acme")
        let (_, rivalKey) = try await app.createPartner("rival")
        try await app.test { client in
            _ = try await client.uploadRaw(sampleCSV, key: acmeKey)
            _ = try await client.uploadRaw(sampleCSV, key: rivalKey)

            let mine = try await client.get("/feeds", key: acmeKey)
            #expect(mine.items.map { $0["feed_id"] as? String } == ["FD00001"])
            let asked = try await client.get("/feeds?partner_name=rival", key: acmeKey)
            #expect(asked.json["count"] as? Int == 0)

            for uri in ["/feeds/FD00002", "/feeds/FD00002/raw", "/jobs/JS00002", "/jobs/JV00002"] {
                let response = try await client.get(uri, key: acmeKey)
                #expect(response.status == .notFound, "\(uri)")
                #expect(response.errorCode == "NOT_FOUND")
            }
            let unknown = try await client.get("/feeds/FD09999", key: acmeKey)
            #expect(unknown.json["error"] as? [String: String] == nil)
            #expect(unknown.status == .notFound)

            let jobs = try await client.get("/jobs", key: acmeKey)
            #expect(Set(jobs.items.compactMap { $0["job_id"] as? String }) == ["JS00001", "JV00001"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func jobsFilterByTypeStatusAndFeed(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        try await app.test { client in
            for _ in 0..<3 { _ = try await client.uploadRaw(sampleCSV, key: app.adminKey, query: "partner_name=acme") }
            let queued = try await client.get("/jobs?status=queued", key: app.adminKey)
            #expect(queued.items.map { $0["job_id"] as? String } == ["JV00003", "JV00002", "JV00001"])
            let submissions = try await client.get("/jobs?job_type=submission&limit=2", key: app.adminKey)
            #expect(submissions.items.map { $0["job_id"] as? String } == ["JS00003", "JS00002"])
            let byFeed = try await client.get("/jobs?feed_id=FD00002", key: app.adminKey)
            #expect(byFeed.items.map { $0["job_id"] as? String } == ["JV00002", "JS00002"])
            let job = byFeed.items[0]
            for field in ["job_id", "job_type", "feed_id", "partner_name", "status", "attempts", "created_at", "started_at",
                          "finished_at", "progress", "summary", "message", "error"] {
                #expect(job.keys.contains(field), "job lacks \(field)")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func rawDownloadOfAMissingObjectIs404(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        try await app.test { client in
            _ = try await client.uploadRaw(sampleCSV, key: app.adminKey, query: "partner_name=acme")
            try FileManager.default.removeItem(atPath: app.directory.path + "/objects/raw/partners/acme/feeds/FD00001/upload.csv")
            let response = try await client.get("/feeds/FD00001/raw", key: app.adminKey)
            #expect(response.status == .notFound)
            #expect(response.errorCode == "NOT_FOUND")
        }
    }
}
