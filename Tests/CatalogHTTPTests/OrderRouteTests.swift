import CatalogCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// `POST /orders`, `GET /orders` and `GET /orders/{id}` beside the orders feeds (§Orders and analytics).
@Suite struct OrderRouteTests {
    func itemError(_ response: TestResponse) -> String? { response.errorDetails["parameter"] as? String }

    @Test(arguments: StoreKind.allCases)
    func postedOrdersShareTheFeedsTablesAndCounter(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            try await client.load(String(decoding: try Fixture.bytes("orders-clean.csv"), as: UTF8.self), key: key, query: "feed_type=orders")
            let created = try await client.post("/orders", json: """
                {"order_id": "W-1", "ordered_at": "2026-11-20T09:30:00+02:00", "currency": "usd",
                 "items": [{"sku": "TENT-2P", "quantity": 2, "unit_price": 249.99},
                           {"sku": "FILTER-1", "quantity": "3", "unit_price": "0.1"},
                           {"sku": "PAD-UL", "quantity": 1, "unit_price": 123456789.0001}]}
                """, key: key)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            #expect(created.headers[.location] == "/orders/OR00005")
            let order = created.json
            #expect(order["order_id"] as? String == "OR00005")
            #expect(order["partner_order_id"] as? String == "W-1")
            #expect(order["partner_name"] as? String == "acme")
            #expect(order["currency"] as? String == "USD")
            #expect(order["ordered_at"] as? String == "2026-11-20T07:30:00.000Z")
            #expect(order["feed_id"] is NSNull)
            let body = String(buffer: created.body)
            #expect((order["items"] as? [[String: Any]])?.map { $0["sku"] as? String } == ["FILTER-1", "PAD-UL", "TENT-2P"])
            #expect(JSONNumberText.values(of: "unit_price", in: body) == ["0.1", "123456789.0001", "249.99"])
            #expect(JSONNumberText.values(of: "line_total", in: body) == ["0.3", "123456789.0001", "499.98"])
            #expect(JSONNumberText.values(of: "total", in: body) == ["123457289.2801"])

            let fetched = try await client.get("/orders/OR00005", key: key)
            #expect(String(buffer: fetched.body) == body)

            // The feed's counter and tables are the same: the next feed order is OR00006.
            try await client.load("order_id,sku,quantity,unit_price,ordered_at\nA-2000,TENT-2P,1,249.00,2026-11-21\n", key: key,
                                  query: "feed_type=orders")
            #expect(try await client.get("/orders/OR00006", key: key).json["partner_order_id"] as? String == "A-2000")
            let fromFeed = try await client.get("/orders/OR00001", key: key)
            #expect(fromFeed.json["feed_id"] as? String == "FD00001")
            #expect(JSONNumberText.values(of: "total", in: String(buffer: fromFeed.body)) == ["508.9"])
            let lines = try await app.rows("SELECT count(*) AS n FROM order_lines")
            #expect(lines.first?["n"] ?? nil == "9")

            // An order ID the partner already has, from a post or from a feed: 409, nothing stored.
            for partnerOrderID in ["W-1", "A-1001"] {
                let again = try await client.post("/orders", json: """
                    {"order_id": "\(partnerOrderID)", "ordered_at": "2026-11-20", "items": [{"sku": "X", "quantity": 1, "unit_price": 1}]}
                    """, key: key)
                #expect(again.status == .conflict)
                #expect(again.errorCode == "CONFLICT")
            }
            #expect(try await app.rows("SELECT count(*) AS n FROM orders").first?["n"] ?? nil == "6")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func invalidOrdersNameTheField(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        let (_, rivalKey) = try await app.createPartner("rival")
        let reader = try await app.createKey(.reader)
        let analyst = try await app.createKey(.analyst)
        @Sendable func order(_ items: String, extra: String = "") -> String {
            #"{"order_id": "B-1", "ordered_at": "2026-11-20"\#(extra), "items": [\#(items)]}"#
        }
        let good = #"{"sku": "A", "quantity": 1, "unit_price": 1.5}"#
        let cases: [(String, String)] = [
            (order(#"{"sku": "A", "quantity": 0, "unit_price": 1}"#), "items[0].quantity"),
            (order(#"{"sku": "A", "quantity": 2.5, "unit_price": 1}"#), "items[0].quantity"),
            (order(good + #", {"sku": "B", "quantity": 1, "unit_price": "abc"}"#), "items[1].unit_price"),
            (order(#"{"sku": "A", "quantity": 1, "unit_price": 1.23456}"#), "items[0].unit_price"),
            (order(#"{"sku": "A", "quantity": 1, "unit_price": "1,299.00"}"#), "items[0].unit_price"),
            (order(#"{"sku": "A", "quantity": 1, "unit_price": -1}"#), "items[0].unit_price"),
            (order(#"{"sku": "A", "quantity": 1}"#), "items[0].unit_price"),
            (order(#"{"sku": "", "quantity": 1, "unit_price": 1}"#), "items[0].sku"),
            (order(good + ", " + good), "items[1].sku"),
            (order(""), "items"),
            (order(good, extra: #", "currency": "XYZ""#), "currency"),
            (#"{"order_id": "B-1", "ordered_at": "2026-13-01", "items": [\#(good)]}"#, "ordered_at"),
            (#"{"order_id": "B-1", "items": [\#(good)]}"#, "ordered_at"),
            (#"{"ordered_at": "2026-11-20", "items": [\#(good)]}"#, "order_id"),
            (#"{"order_id": "B-1", "ordered_at": "2026-11-20"}"#, "items"),
            (#"{"order_id": "B-1", "ordered_at": "2026-11-20", "items": "none"}"#, "items"),
            ("not json", "body"),
        ]
        try await app.test { client in
            for (body, parameter) in cases {
                let response = try await client.post("/orders", json: body, key: key)
                #expect(response.status == .badRequest, "\(body): \(String(buffer: response.body))")
                #expect(itemError(response) == parameter, "\(body): \(String(buffer: response.body))")
            }
            let adminWithout = try await client.post("/orders", json: order(good), key: app.adminKey)
            #expect(itemError(adminWithout) == "partner_name")
            let adminUnknown = try await client.post("/orders", json: order(good, extra: #", "partner_name": "nobody""#), key: app.adminKey)
            #expect(itemError(adminUnknown) == "partner_name")
            let adminFor = try await client.post("/orders", json: order(good, extra: #", "partner_name": "rival""#), key: app.adminKey)
            #expect(adminFor.status == .created)
            #expect(adminFor.json["partner_name"] as? String == "rival")
            let foreign = try await client.post("/orders", json: order(good, extra: #", "partner_name": "acme""#), key: rivalKey)
            #expect(foreign.status == .forbidden)
            for key in [reader, analyst] {
                #expect(try await client.post("/orders", json: order(good), key: key).status == .forbidden)
            }
            #expect(try await client.post("/orders", json: order(good), key: nil).status == .unauthorized)
            #expect(try await app.rows("SELECT count(*) AS n FROM orders").first?["n"] ?? nil == "1")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func ordersListNewestFirstInRangesAndPerPartner(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        let (_, rivalKey) = try await app.createPartner("rival")
        let reader = try await app.createKey(.reader)
        let analyst = try await app.createKey(.analyst)
        try await app.testWithWorker { client in
            try await client.load(String(decoding: try Fixture.bytes("orders-clean.csv"), as: UTF8.self), key: key, query: "feed_type=orders")
            let rival = try await client.post("/orders", json: """
                {"order_id": "R-1", "ordered_at": "2026-11-05T12:00:00Z", "items": [{"sku": "S", "quantity": 1, "unit_price": 2}]}
                """, key: rivalKey)
            #expect(rival.status == .created)
            func ids(_ uri: String, _ key: String) async throws -> [String] {
                try await client.walk(uri, key: key).compactMap { $0["partner_order_id"] as? String }
            }
            // orders-clean.csv: A-1001 11-01 10:15Z, A-1002 11-02, A-1003 11-03 07:00Z, A-1004 11-10 23:59:59Z.
            #expect(try await ids("/orders?limit=1", analyst) == ["A-1004", "R-1", "A-1003", "A-1002", "A-1001"])
            #expect(try await ids("/orders?limit=2&partner_name=acme", app.adminKey) == ["A-1004", "A-1003", "A-1002", "A-1001"])
            #expect(try await ids("/orders?from=2026-11-02&to=2026-11-10T23:59:59Z", app.adminKey) == ["R-1", "A-1003", "A-1002"])
            #expect(try await ids("/orders?from=2026-11-10T23:59:59Z", app.adminKey) == ["A-1004"])
            #expect(try await ids("/orders?to=2026-11-01T10:15:00.001Z", app.adminKey) == ["A-1001"])
            #expect(try await ids("/orders?from=2026-11-05&to=2026-11-05", app.adminKey).isEmpty)
            #expect(try await ids("/orders", rivalKey) == ["R-1"])
            #expect(try await ids("/orders?partner_name=acme", rivalKey).isEmpty)
            #expect(try await client.get("/orders/OR00001", key: rivalKey).status == .notFound)
            #expect(try await client.get("/orders/OR00005", key: rivalKey).status == .ok)
            #expect(try await client.get("/orders/OR00099", key: app.adminKey).status == .notFound)
            #expect(try await client.get("/orders/A-1001", key: app.adminKey).status == .notFound)
            #expect(try await client.get("/orders", key: reader).status == .forbidden)
            #expect(try await client.get("/orders/OR00001", key: reader).status == .forbidden)
        }
    }
}
