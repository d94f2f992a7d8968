import CatalogCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Each role against each endpoint: the status the contract's §Users and roles implies.
@Suite struct RoleMatrixTests {
    struct Endpoint: Sendable {
        var method: HTTPRequest.Method
        var uri: String
        var body: String?
        /// Expected status for admin, analyst, reader, partner (own data), partner (other partner's data).
        var admin: Int, analyst: Int, reader: Int, partner: Int
    }

    static let endpoints: [Endpoint] = [
        .init(method: .get, uri: "/partners", admin: 200, analyst: 200, reader: 403, partner: 403),
        .init(method: .get, uri: "/partners/PT00001", admin: 200, analyst: 200, reader: 403, partner: 403),
        .init(method: .post, uri: "/partners", body: #"{"partner_name": "new-one"}"#, admin: 201, analyst: 403, reader: 403, partner: 403),
        .init(method: .patch, uri: "/partners/PT00002", body: #"{"status": "active"}"#, admin: 200, analyst: 403, reader: 403, partner: 403),
        .init(method: .get, uri: "/feeds", admin: 200, analyst: 200, reader: 403, partner: 200),
        .init(method: .get, uri: "/feeds/FD00001", admin: 200, analyst: 200, reader: 403, partner: 200),
        .init(method: .get, uri: "/feeds/FD00002", admin: 200, analyst: 200, reader: 403, partner: 404),
        .init(method: .get, uri: "/feeds/FD00001/raw", admin: 200, analyst: 200, reader: 403, partner: 200),
        .init(method: .get, uri: "/jobs", admin: 200, analyst: 200, reader: 403, partner: 200),
        .init(method: .get, uri: "/jobs/JV00001", admin: 200, analyst: 200, reader: 403, partner: 200),
        .init(method: .get, uri: "/jobs/JV00002", admin: 200, analyst: 200, reader: 403, partner: 404),
        .init(method: .post, uri: "/feeds/upload?partner_name=acme", body: "sku,product_name,price\nA,B,1\n",
              admin: 201, analyst: 403, reader: 403, partner: 201),
        .init(method: .get, uri: "/health", admin: 200, analyst: 200, reader: 200, partner: 200),
        .init(method: .get, uri: "/ready", admin: 200, analyst: 200, reader: 200, partner: 200),
    ]

    @Test func everyRoleAgainstEveryEndpoint() async throws {
        let app = try await TestApp.make()
        let (_, partnerKey) = try await app.createPartner("acme")
        let (_, rivalKey) = try await app.createPartner("rival")
        let analyst = try await app.createKey(.analyst)
        let reader = try await app.createKey(.reader)
        try await app.test { client in
            _ = try await client.uploadRaw(sampleCSV, key: partnerKey)
            _ = try await client.uploadRaw(sampleCSV, key: rivalKey)
            for endpoint in Self.endpoints {
                for (role, key, expected) in [
                    ("admin", app.adminKey, endpoint.admin), ("analyst", analyst, endpoint.analyst),
                    ("reader", reader, endpoint.reader), ("partner", partnerKey, endpoint.partner),
                ] {
                    var fields: [HTTPField.Name: String] = [:]
                    if endpoint.body != nil {
                        fields[.contentType] = endpoint.uri.hasPrefix("/feeds/upload") ? "text/csv" : "application/json"
                    }
                    let body = endpoint.body.map { ByteBuffer(string: endpoint.uri == "/partners" ? $0.replacingOccurrences(of: "new-one", with: "new-\(role)") : $0) }
                    let response = try await client.execute(
                        uri: endpoint.uri, method: endpoint.method, headers: headers(key: key, fields), body: body)
                    #expect(response.status.code == expected, "\(role) \(endpoint.method) \(endpoint.uri): \(String(buffer: response.body))")
                    if expected >= 400 {
                        #expect(response.errorCode != nil, "\(role) \(endpoint.uri) without envelope")
                    }
                }
                let anonymous = try await client.execute(uri: endpoint.uri, method: endpoint.method, headers: [:])
                let expectedAnonymous = endpoint.uri == "/health" || endpoint.uri == "/ready" ? 200 : 401
                #expect(anonymous.status.code == expectedAnonymous, "anonymous \(endpoint.uri)")
            }
        }
    }
}
