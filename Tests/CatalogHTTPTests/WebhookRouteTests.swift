import CatalogCore
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// §Webhooks: registering, changing and rotating webhooks, and which events make deliveries.
@Suite struct WebhookRouteTests {
    static func post(_ client: any TestClientProtocol, _ uri: String, _ json: String, key: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: headers(key: key, [.contentType: "application/json"]), body: ByteBuffer(string: json))
    }

    static func patch(_ client: any TestClientProtocol, _ uri: String, _ json: String, key: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .patch, headers: headers(key: key, [.contentType: "application/json"]), body: ByteBuffer(string: json))
    }

    @Test(arguments: StoreKind.allCases)
    func webhooksAreCreatedScopedChangedRotatedAndDeleted(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store, allowPrivateTargets: true)
        let (_, acme) = try await app.createPartner("acme")
        let (_, rival) = try await app.createPartner("rival")
        try await app.test { client in
            let created = try await Self.post(client, "/webhooks", #"{"url": "http://127.0.0.1:9/hook", "events": ["job.completed"], "description": "ci"}"#, key: acme)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let hook = created.json
            let id = try #require(hook["webhook_id"] as? String)
            #expect(id == "WH00001" && hook["partner_name"] as? String == "acme" && hook["status"] as? String == "active")
            let secret = try #require(hook["secret"] as? String)
            #expect(secret.hasPrefix("whsec_") && Data(base64Encoded: String(secret.dropFirst(6)))?.count == 32)
            #expect(created.headers[.location] == "/webhooks/\(id)")

            let fetched = try await client.get("/webhooks/\(id)", key: acme)
            #expect(fetched.status == .ok && fetched.json["secret"] == nil, "the secret is shown once")
            #expect(try await client.get("/webhooks/\(id)", key: rival).status == .notFound)
            #expect(try await client.get("/webhooks", key: rival).items.isEmpty)
            #expect(try await client.get("/webhooks", key: app.adminKey).items.count == 1)

            let changed = try await Self.patch(client, "/webhooks/\(id)", #"{"events": ["*"], "description": null, "status": "disabled"}"#, key: acme)
            #expect(changed.json["events"] as? [String] == ["*"] && changed.json["status"] as? String == "disabled")
            #expect(changed.json.keys.contains("description") && changed.json["description"] is NSNull)

            let rotated = try await Self.post(client, "/webhooks/\(id)/rotate-secret", "", key: acme)
            let newSecret = try #require(rotated.json["secret"] as? String)
            #expect(newSecret != secret && newSecret.hasPrefix("whsec_"))

            #expect(try await client.execute(uri: "/webhooks/\(id)", method: .delete, headers: headers(key: rival)).status == .notFound)
            #expect(try await client.execute(uri: "/webhooks/\(id)", method: .delete, headers: headers(key: acme)).status == .noContent)
            #expect(try await client.get("/webhooks/\(id)", key: acme).status == .notFound)
        }
    }

    @Test func badRegistrationsAreRefusedNamingTheField() async throws {
        let app = try await TestApp.make()
        let (_, acme) = try await app.createPartner("acme")
        let reader = try await app.createKey(.reader)
        try await app.test { client in
            let cases: [(String, String, String)] = [
                (#"{"events": ["*"]}"#, "url", "400"),
                (#"{"url": "ftp://example.com/x", "events": ["*"]}"#, "url", "400"),
                (#"{"url": "http://127.0.0.1:8080/hook", "events": ["*"]}"#, "url", "400"),
                (#"{"url": "http://localhost/hook", "events": ["*"]}"#, "url", "400"),
                (#"{"url": "http://169.254.169.254/latest", "events": ["*"]}"#, "url", "400"),
                (#"{"url": "http://[::1]/hook", "events": ["*"]}"#, "url", "400"),
                (#"{"url": "https://user:pw@example.com/", "events": ["*"]}"#, "url", "400"),
                (#"{"url": "https://93.184.215.14/", "events": []}"#, "events", "400"),
                (#"{"url": "https://93.184.215.14/", "events": ["job.done"]}"#, "events", "400"),
            ]
            for (json, parameter, status) in cases {
                let response = try await Self.post(client, "/webhooks", json, key: acme)
                #expect("\(response.status.code)" == status, "\(json): \(String(buffer: response.body))")
                #expect(response.errorDetails["parameter"] as? String == parameter, "\(json)")
            }
            #expect(try await Self.post(client, "/webhooks", #"{"url": "https://93.184.215.14/", "events": ["*"]}"#, key: reader).status == .forbidden)
            let other = try await Self.post(client, "/webhooks", #"{"url": "https://93.184.215.14/", "events": ["*"], "partner_name": "rival"}"#, key: acme)
            #expect(other.status == .forbidden)
            #expect(try await Self.post(client, "/webhooks", "{not json", key: acme).status == .badRequest)
        }
    }

    /// Each event makes one delivery per webhook that wants it: by type, and by partner.
    @Test(arguments: StoreKind.allCases)
    func eventsMakeDeliveriesForTheWebhooksThatWantThem(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store, allowPrivateTargets: true)
        let (_, acme) = try await app.createPartner("acme")
        let (_, rival) = try await app.createPartner("rival")
        try await app.testWithWorker { client in
            let all = try await Self.post(client, "/webhooks", #"{"url": "http://127.0.0.1:9/all", "events": ["*"]}"#, key: app.adminKey).json
            let acmeJobs = try await Self.post(client, "/webhooks", #"{"url": "http://127.0.0.1:9/acme", "events": ["job.completed"]}"#, key: acme).json
            let rivalOnly = try await Self.post(client, "/webhooks", #"{"url": "http://127.0.0.1:9/r", "events": ["*"], "partner_name": "rival"}"#,
                                                key: app.adminKey).json
            _ = try await client.load("sku,product_name,price\nA,Alpha,1.00\n", key: acme)
            func deliveries(_ hook: [String: Any], key: String) async throws -> [[String: Any]] {
                try await client.get("/webhooks/\(hook["webhook_id"] as! String)/deliveries", key: key).items
            }
            #expect(try await deliveries(all, key: app.adminKey).count == 2, "feed.uploaded and job.completed")
            let acmeDeliveries = try await deliveries(acmeJobs, key: acme)
            #expect(acmeDeliveries.count == 1 && (acmeDeliveries.first?["delivery_id"] as? String)?.hasPrefix("WD") == true)
            #expect(try await deliveries(rivalOnly, key: app.adminKey).isEmpty)
            _ = try await client.uploadRaw(sampleCSV, key: rival)
            #expect(try await deliveries(rivalOnly, key: app.adminKey).count == 1)
            #expect(try await deliveries(all, key: app.adminKey).count == 3)
            #expect(try await client.get("/webhooks/\(acmeJobs["webhook_id"] as! String)/deliveries?status=bogus", key: acme).status == .badRequest)
        }
    }
}
