import CatalogCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct PartnerRouteTests {
    func post(_ client: any TestClientProtocol, _ json: String, key: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/partners", method: .post, headers: headers(key: key, [.contentType: "application/json"]),
            body: ByteBuffer(string: json))
    }

    @Test func createReturnsThePartnerAndItsKeyOnce() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let response = try await post(client, #"{"partner_name": "acme-outdoor", "display_name": "Acme Outdoor"}"#, key: app.adminKey)
            #expect(response.status == .created)
            #expect(response.headers[.location] == "/partners/PT00001")
            let json = response.json
            #expect(json["partner_id"] as? String == "PT00001")
            #expect(json["partner_name"] as? String == "acme-outdoor")
            #expect(json["display_name"] as? String == "Acme Outdoor")
            #expect(json["status"] as? String == "active")
            #expect((json["created_at"] as? String)?.hasSuffix("Z") == true)
            let apiKey = try #require(json["api_key"] as? String)
            #expect(apiKey.count >= 32)

            let fetched = try await client.get("/partners/PT00001", key: app.adminKey)
            #expect(fetched.status == .ok)
            #expect(fetched.json["api_key"] == nil)

            let upload = try await client.uploadRaw(sampleCSV, key: apiKey)
            #expect(upload.status == .created)
            #expect(upload.json["partner_name"] as? String == "acme-outdoor")
        }
    }

    @Test func takenNameIs409() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            _ = try await post(client, #"{"partner_name": "acme"}"#, key: app.adminKey)
            let again = try await post(client, #"{"partner_name": "acme"}"#, key: app.adminKey)
            #expect(again.status == .conflict)
            #expect(again.errorCode == "CONFLICT")
        }
    }

    @Test(arguments: [#"{"partner_name": "Acme"}"#, #"{"partner_name": "a"}"#, #"{"partner_name": "-acme"}"#,
                      #"{"partner_name": "acme_outdoor"}"#, #"{"display_name": "x"}"#, #"{"partner_name": 5}"#, "[]"])
    func invalidBodiesAre400(_ json: String) async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let response = try await post(client, json, key: app.adminKey)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "VALIDATION_ERROR")
        }
    }

    @Test func listPagesWithCursor() async throws {
        let app = try await TestApp.make()
        for name in ["p-one", "p-two", "p-three"] { _ = try await app.createPartner(name) }
        try await app.test { client in
            let first = try await client.get("/partners?limit=2", key: app.adminKey)
            #expect(first.json["count"] as? Int == 2)
            let cursor = try #require(first.json["next_cursor"] as? String)
            let second = try await client.get("/partners?limit=2&cursor=\(cursor)", key: app.adminKey)
            #expect(second.items.map { $0["partner_name"] as? String } == ["p-three"])
            #expect(second.json["next_cursor"] is NSNull)
        }
    }

    @Test func suspendedPartnerCannotUpload() async throws {
        let app = try await TestApp.make()
        let (partner, key) = try await app.createPartner("sleepy")
        try await app.test { client in
            let patch = try await client.execute(
                uri: "/partners/\(partner.partnerID)", method: .patch,
                headers: headers(key: app.adminKey, [.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"status": "suspended"}"#))
            #expect(patch.status == .ok)
            #expect(patch.json["status"] as? String == "suspended")
            let upload = try await client.uploadRaw(sampleCSV, key: key)
            #expect(upload.status == .forbidden)
            #expect(upload.errorCode == "FORBIDDEN")
            let byAdmin = try await client.uploadRaw(sampleCSV, key: app.adminKey, query: "partner_name=sleepy")
            #expect(byAdmin.status == .forbidden)
            #expect(app.storedObjects.isEmpty)
        }
    }

    @Test func patchValidatesStatusAndPartner() async throws {
        let app = try await TestApp.make()
        _ = try await app.createPartner("acme")
        try await app.test { client in
            let bad = try await client.execute(
                uri: "/partners/PT00001", method: .patch, headers: headers(key: app.adminKey, [.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"status": "deleted"}"#))
            #expect(bad.status == .badRequest)
            let missing = try await client.execute(
                uri: "/partners/PT09999", method: .patch, headers: headers(key: app.adminKey, [.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"status": "active"}"#))
            #expect(missing.status == .notFound)
        }
    }
}
