import CatalogCore
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// §Events: state changes recorded in the transaction of the change, read with `GET /events`.
@Suite struct EventLogTests {
    static func events(_ client: any TestClientProtocol, _ query: String = "", key: String) async throws -> [[String: Any]] {
        let response = try await client.get("/events" + query, key: key)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return response.items
    }

    static func normalized(_ object: Any?) -> String {
        guard let object, let data = try? JSONSerialization.data(withJSONObject: object, options: .sortedKeys) else { return "nil" }
        return String(decoding: data, as: UTF8.self)
    }

    @Test(arguments: StoreKind.allCases)
    func uploadsJobsAndOrdersAreRecordedWithTheirObjects(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        #expect(try await app.catalog.eventLog.latest() == "0", "an empty log")
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            let upload = try await client.uploadRaw(sampleCSV, key: key, query: "file_name=a.csv")
            let jobID = try #require(upload.json["validation_job_id"] as? String)
            let job = try await client.run(jobID, key: key)
            let rejected = try await client.uploadRaw(Array("sku,product_name,price\n".utf8) + [0xFF, 0x0A], key: key)
            #expect(rejected.status == .unprocessableContent)
            let order = try await client.execute(
                uri: "/orders", method: .post, headers: headers(key: key, [.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"order_id": "A-1", "ordered_at": "2026-11-20T10:00:00Z", "currency": "USD", "items": [{"sku": "A-1", "quantity": 2, "unit_price": "1.00"}]}"#))
            #expect(order.status == .created)

            let all = try await Self.events(client, key: app.adminKey)
            let types = all.compactMap { $0["type"] as? String }
            #expect(types == ["feed.uploaded", "job.completed", "order.created"], "a rejected upload records nothing: \(types)")
            #expect(all.allSatisfy { ($0["event_id"] as? String)?.hasPrefix("EV") == true && $0["partner_name"] as? String == "acme" })
            // data: the object as its endpoint returns it.
            let feedNow = try await client.get("/feeds/\(upload.json["feed_id"] as! String)", key: key).json
            var uploaded = try #require(all.first?["data"] as? [String: Any])
            #expect(uploaded["status"] as? String == "uploaded" && uploaded["feed_id"] as? String == feedNow["feed_id"] as? String)
            uploaded["status"] = feedNow["status"]
            uploaded["validation_status"] = feedNow["validation_status"]
            uploaded["validation_message"] = feedNow["validation_message"]
            #expect(Self.normalized(uploaded) == Self.normalized(feedNow))
            #expect(Self.normalized(all[1]["data"]) == Self.normalized(job), "job.completed carries the job as GET /jobs/{id} shows it")
            #expect(Self.normalized(all.first { $0["type"] as? String == "order.created" }?["data"]) == Self.normalized(order.json))

            // since, type and paging.
            let first = try #require(all.first?["event_id"] as? String)
            #expect(try await Self.events(client, "?since=\(first)", key: app.adminKey).count == all.count - 1)
            #expect(try await Self.events(client, "?type=job.completed", key: app.adminKey).count == 1)
            let page = try await client.get("/events?limit=1", key: app.adminKey).json
            #expect((page["items"] as? [Any])?.count == 1 && page["next_since"] as? String == first)
            #expect(try await client.get("/events?since=FD00001", key: app.adminKey).status == .badRequest)
            #expect(try await client.get("/events?type=nope", key: app.adminKey).status == .badRequest)
            // The newest event, where `events tail` starts following: one store query.
            #expect(try await app.catalog.eventLog.latest() == all.last?["event_id"] as? String)
        }
    }

    @Test func aFailedJobIsRecordedAndPartnersSeeTheirOwn() async throws {
        let app = try await TestApp.make()
        let (_, acme) = try await app.createPartner("acme")
        let (_, rival) = try await app.createPartner("rival")
        let reader = try await app.createKey(.reader)
        try await app.testWithWorker { client in
            let upload = try await client.uploadRaw(sampleCSV, key: acme)
            // The raw object disappears: the job fails at once, permanently.
            for file in app.storedObjects { try FileManager.default.removeItem(atPath: app.directory.path + "/objects/" + file) }
            let job = try await client.run(upload.json["validation_job_id"] as! String, key: acme)
            #expect(job["status"] as? String == "failed")
            _ = try await client.uploadRaw(sampleCSV, key: rival)
            let acmeEvents = try await Self.events(client, key: acme)
            #expect(acmeEvents.map { $0["type"] as? String } == ["feed.uploaded", "job.failed"])
            #expect(Self.normalized(acmeEvents[1]["data"]) == Self.normalized(job))
            #expect(try await Self.events(client, "?partner_name=rival", key: acme).isEmpty)
            #expect(try await Self.events(client, key: rival).count == 1)
            #expect(try await Self.events(client, key: app.adminKey).count == 3)
            #expect(try await client.get("/events", key: reader).status == .forbidden)
        }
    }
}
