import CatalogCore
import Foundation
import HummingbirdTesting
import Testing

/// Bad input to the read path: 400 `VALIDATION_ERROR` naming the parameter (§Errors, issue 6's list).
@Suite struct ReadPathBadInputTests {
    static let cases: [(uri: String, parameter: String)] = [
        ("/products?limit=0", "limit"),
        ("/products?limit=1000", "limit"),
        ("/products?limit=ten", "limit"),
        ("/products?sort_by=drop%20table", "sort_by"),
        ("/products?order=sideways", "order"),
        ("/products?min_price=abc", "min_price"),
        ("/products?min_price=9,99", "min_price"),
        ("/products?max_price=-1", "max_price"),
        ("/products?min_price=10.5&max_price=10.25", "min_price"),
        ("/products?status=deleted", "status"),
        ("/products?availability=sold", "availability"),
        ("/products?updated_since=yesterday", "updated_since"),
        ("/products?feed_id=FD1", "feed_id"),
        ("/products?cursor=not-a-cursor", "cursor"),
        ("/products?colour=red", "colour"),
        ("/products?limit=5&limit=6", "limit"),
        ("/products/PR00001?expand=all", "expand"),
        ("/orders?from=2026-12-01&to=2026-11-01", "from"),
        ("/orders?limit=0", "limit"),
        ("/orders?from=someday", "from"),
        ("/orders?cursor=eyJ2IjoxfQ", "cursor"),
        ("/orders?status=open", "status"),
        ("/analytics/sales-by-partner?from=2026-12-01&to=2026-11-01", "from"),
        ("/analytics/sales-by-partner?to=next-week", "to"),
        ("/analytics/sales-by-partner?grain=daily", "grain"),
        ("/analytics/sales-over-time?grain=hourly", "grain"),
        ("/analytics/sales-over-time?from=2026-11-02&to=2026-11-01", "from"),
        ("/analytics/sales-over-time?from=1900-01-01&to=2100-01-01", "from"),
        ("/analytics/revenue-share?currency=USD", "currency"),
        ("/analytics/top-products?limit=0", "limit"),
        ("/analytics/top-products?limit=101", "limit"),
        ("/analytics/inventory?low_stock_threshold=-1", "low_stock_threshold"),
        ("/analytics/inventory?low_stock_threshold=many", "low_stock_threshold"),
    ]

    @Test func badParametersAreNamed() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            for (uri, parameter) in Self.cases {
                let response = try await client.get(uri, key: app.adminKey)
                #expect(response.status == .badRequest, "\(uri): \(String(buffer: response.body))")
                #expect(response.errorCode == "VALIDATION_ERROR", "\(uri)")
                #expect(response.errorDetails["parameter"] as? String == parameter, "\(uri): \(String(buffer: response.body))")
            }
        }
    }

    /// Base64url without padding, as the cursors are written.
    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decoded(_ cursor: String) throws -> [String: Any] {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return try JSONSerialization.jsonObject(with: try #require(Data(base64Encoded: base64))) as? [String: Any] ?? [:]
    }

    @Test func truncatedEditedAndForeignCursorsAreRefused() async throws {
        let app = try await TestApp.make()
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            try await client.load("sku,product_name,price\nA,Alpha,1\nB,Beta,2\nC,Gamma,3\n", key: key)
            let uri = "/products?sort_by=price&order=desc&limit=1"
            let cursor = try #require(try await client.get(uri, key: key).json["next_cursor"] as? String)
            #expect(try await client.get("\(uri)&cursor=\(cursor)", key: key).status == .ok)

            var payload = try Self.decoded(cursor)
            var position = try #require(payload["p"] as? [String])
            position[0] = "1"
            payload["p"] = position
            let edited = Self.base64url(try JSONSerialization.data(withJSONObject: payload))
            var flipped = Array(cursor)
            flipped[flipped.count / 2] = flipped[flipped.count / 2] == "A" ? "B" : "A"

            let refused: [(String, String)] = [
                ("\(uri)&cursor=\(cursor.dropLast(6))", "truncated"),
                ("\(uri)&cursor=\(edited)", "edited position"),
                ("\(uri)&cursor=\(String(flipped))", "flipped character"),
                ("/products?sort_by=price&order=asc&limit=1&cursor=\(cursor)", "another order"),
                ("/products?sort_by=product_name&order=desc&limit=1&cursor=\(cursor)", "another sort"),
                ("\(uri)&brand=Acme&cursor=\(cursor)", "another filter"),
                ("/orders?cursor=\(cursor)", "another endpoint"),
            ]
            for (refusedURI, what) in refused {
                let response = try await client.get(refusedURI, key: key)
                #expect(response.status == .badRequest, "\(what)")
                #expect(response.errorDetails["parameter"] as? String == "cursor", "\(what)")
            }
            // The limit is not part of the query's identity: a client may change its page size mid-walk.
            #expect(try await client.get("/products?sort_by=price&order=desc&limit=2&cursor=\(cursor)", key: key).items.count == 2)
        }
    }
}
