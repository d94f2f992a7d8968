import CatalogCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Each role against each read-path endpoint (§Users and roles, §Products, §Orders and analytics).
@Suite struct ReadPathRoleTests {
    struct Endpoint: Sendable {
        var method: HTTPRequest.Method = .get
        var uri: String
        var body: String?
        /// Expected status for admin, analyst, reader, partner (acme, the owner), and the other partner.
        var admin: Int, analyst: Int, reader: Int, partner: Int, otherPartner: Int
    }

    static let analytics = ["sales-by-partner", "sales-over-time", "revenue-share", "top-products", "inventory"]

    static let endpoints: [Endpoint] = [
        .init(uri: "/products", admin: 200, analyst: 200, reader: 200, partner: 200, otherPartner: 200),
        .init(uri: "/products/PR00001", admin: 200, analyst: 200, reader: 200, partner: 200, otherPartner: 404),
        .init(uri: "/products?status=all", admin: 200, analyst: 200, reader: 403, partner: 403, otherPartner: 403),
        .init(uri: "/products?status=inactive", admin: 200, analyst: 200, reader: 403, partner: 403, otherPartner: 403),
        .init(method: .post, uri: "/orders", body: #"{"partner_name": "acme", "order_id": "ROLE", "ordered_at": "2026-11-01", "items": [{"sku": "A", "quantity": 1, "unit_price": 1}]}"#,
              admin: 201, analyst: 403, reader: 403, partner: 201, otherPartner: 403),
        .init(uri: "/orders", admin: 200, analyst: 200, reader: 403, partner: 200, otherPartner: 200),
        .init(uri: "/orders/OR00001", admin: 200, analyst: 200, reader: 403, partner: 200, otherPartner: 404),
    ] + analytics.map { .init(uri: "/analytics/\($0)", admin: 200, analyst: 200, reader: 403, partner: 200, otherPartner: 200) }

    @Test func everyRoleAgainstEveryReadPathEndpoint() async throws {
        let app = try await TestApp.make()
        let (_, acmeKey) = try await app.createPartner("acme")
        let (_, rivalKey) = try await app.createPartner("rival")
        let analyst = try await app.createKey(.analyst)
        let reader = try await app.createKey(.reader)
        try await app.testWithWorker { client in
            try await client.load("sku,product_name,price\nA,Alpha,1\n", key: acmeKey)
            try await client.load("order_id,sku,quantity,unit_price,ordered_at\nO-1,A,1,1,2026-11-01\n", key: acmeKey, query: "feed_type=orders")
            for endpoint in Self.endpoints {
                for (role, key, expected) in [
                    ("admin", app.adminKey, endpoint.admin), ("analyst", analyst, endpoint.analyst), ("reader", reader, endpoint.reader),
                    ("partner", acmeKey, endpoint.partner), ("other partner", rivalKey, endpoint.otherPartner),
                ] {
                    let body = endpoint.body.map { ByteBuffer(string: $0.replacingOccurrences(of: "ROLE", with: "O-\(role)")) }
                    let fields: [HTTPField.Name: String] = body == nil ? [:] : [.contentType: "application/json"]
                    let response = try await client.execute(uri: endpoint.uri, method: endpoint.method, headers: headers(key: key, fields), body: body)
                    #expect(response.status.code == expected, "\(role) \(endpoint.method) \(endpoint.uri): \(String(buffer: response.body))")
                    if expected >= 400 { #expect(response.errorCode != nil) }
                }
                let anonymous = try await client.execute(uri: endpoint.uri, method: endpoint.method, headers: [:])
                #expect(anonymous.status == .unauthorized, "anonymous \(endpoint.uri)")
            }
        }
    }
}
