import CatalogCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// `GET /products` filters, the product object, roles and ETags, checked against the fixture's own rows.
@Suite struct ProductReadTests {
    /// products-clean.csv as the test reads it (a plain split: the fixture has no quoted fields).
    struct FixtureRow {
        var fields: [String: String]
        subscript(_ name: String) -> String { fields[name] ?? "" }
        var price: Decimal { Decimal(string: self["price"])! }
    }

    static func fixtureRows() throws -> [FixtureRow] {
        let lines = String(decoding: try Fixture.bytes("products-clean.csv"), as: UTF8.self).split(separator: "\n")
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { line in
            let values = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return FixtureRow(fields: Dictionary(uniqueKeysWithValues: zip(header, values)))
        }
    }

    func skus(_ response: TestResponse) -> [String] { response.items.compactMap { $0["sku"] as? String } }

    @Test(arguments: StoreKind.allCases)
    func productObjectFollowsTheContractWithExactPrices(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        let rows = try Self.fixtureRows()
        try await app.testWithWorker { client in
            try await client.load(String(decoding: try Fixture.bytes("products-clean.csv"), as: UTF8.self), key: key)
            for (index, row) in rows.enumerated() {
                let id = IDKind.product.format(Int64(index + 1))
                let response = try await client.get("/products/\(id)", key: key)
                #expect(response.status == .ok)
                let body = String(buffer: response.body)
                let product = response.json
                #expect(product["sku"] as? String == row["sku"])
                #expect(product["product_id"] as? String == id)
                #expect(product["partner_name"] as? String == "acme")
                #expect(product["product_name"] as? String == row["product_name"])
                #expect(product["description"] as? String == (row["description"].isEmpty ? nil : row["description"]))
                #expect(product["brand"] as? String == row["brand"])
                #expect(product["category"] as? String == row["category"])
                #expect(product["currency"] as? String == row["currency"])
                #expect(product["availability"] as? String == row["availability"])
                #expect(product["quantity"] as? Int == Int(row["quantity"]))
                #expect(product["image_urls"] as? [String] == row["image_url"].split(separator: "|").map(String.init))
                #expect((product["attributes"] as? [String: Any])?.isEmpty == true)
                #expect(product["status"] as? String == "active")
                #expect(product["feed_id"] as? String == "FD00001")
                #expect((product["created_at"] as? String)?.hasSuffix("Z") == true)
                #expect(product["updated_at"] as? String == product["created_at"] as? String)
                // The number as written in the body: the fixture's decimal without trailing zeros.
                #expect(JSONNumberText.values(of: "price", in: body) == ["\(row.price)"])
            }
            let list = try await client.get("/products?limit=200", key: key)
            #expect(Set(JSONNumberText.values(of: "price", in: String(buffer: list.body))) == Set(rows.map { "\($0.price)" }))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func everyFilterSelectsWhatTheFixtureSays(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        let (_, rivalKey) = try await app.createPartner("rival")
        let rows = try Self.fixtureRows()
        @Sendable func expected(_ keep: (FixtureRow) -> Bool) -> [String] { rows.filter(keep).map { $0["sku"] } }
        try await app.testWithWorker { client in
            try await client.load(String(decoding: try Fixture.bytes("products-clean.csv"), as: UTF8.self), key: key)
            try await client.load("sku,product_name,price,brand\nR-1,Rival Tent,5.00,Blaze\n", key: rivalKey)
            let admin = app.adminKey
            func list(_ query: String) async throws -> [String] {
                skus(try await client.get("/products?limit=200&partner_name=acme&" + query, key: admin))
            }
            #expect(try await list("brand=Blaze") == expected { $0["brand"] == "Blaze" })
            #expect(try await list("category=Packs") == expected { $0["category"] == "Packs" })
            #expect(try await list("availability=preorder") == expected { $0["availability"] == "preorder" })
            #expect(try await list("sku=PAD-UL") == ["PAD-UL"])
            #expect(try await list("min_price=100&max_price=200") == expected { $0.price >= 100 && $0.price <= 200 })
            #expect(try await list("min_price=249") == expected { $0.price >= 249 })
            #expect(try await list("max_price=49.99") == expected { $0.price <= Decimal(string: "49.99")! })
            #expect(try await list("q=TENT") == expected { row in
                ["product_name", "description", "sku", "brand"].contains { row[$0].lowercased().contains("tent") }
            })
            #expect(try await list("q=%25").isEmpty, "% is matched literally")
            #expect(try await list("q=_").isEmpty, "_ is matched literally")
            #expect(try await list("updated_since=2000-01-01") == expected { _ in true })
            #expect(try await list("updated_since=2999-01-01").isEmpty)
            #expect(try await list("feed_id=FD00001") == expected { _ in true })
            #expect(try await list("feed_id=FD00002").isEmpty)
            #expect(skus(try await client.get("/products?brand=Blaze&limit=200", key: admin)) == expected { $0["brand"] == "Blaze" } + ["R-1"])
            #expect(skus(try await client.get("/products?partner_name=rival", key: admin)) == ["R-1"])
            #expect(skus(try await client.get("/products?partner_name=nobody", key: admin)).isEmpty)

            // A full feed of one row deactivates the rest; a delta feed changes one product.
            try await client.load("sku,product_name,price\nTENT-2P,Ridge 2-Person Tent,250.00\n", key: key, query: "mode=full")
            #expect(try await list("") == ["TENT-2P"])
            #expect(try await list("status=inactive") == expected { $0["sku"] != "TENT-2P" })
            #expect(try await list("status=all") == expected { _ in true })
            #expect(try await list("feed_id=FD00003") == ["TENT-2P"])
            #expect(try await list("status=all&feed_id=FD00003") == expected { _ in true })
            #expect(try await list("status=all&feed_id=FD00001").isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func rolesDecideWhatIsVisible(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, acmeKey) = try await app.createPartner("acme")
        let (_, rivalKey) = try await app.createPartner("rival")
        let reader = try await app.createKey(.reader)
        let analyst = try await app.createKey(.analyst)
        try await app.testWithWorker { client in
            try await client.load("sku,product_name,price\nA-1,Alpha,1\nA-2,Beta,2\n", key: acmeKey)
            try await client.load("sku,product_name,price\nR-1,Rival,3\n", key: rivalKey)
            try await client.load("sku,product_name,price\nA-1,Alpha,1\n", key: acmeKey, query: "mode=full")
            // PR00002 is inactive now.
            #expect(skus(try await client.get("/products", key: reader)) == ["A-1", "R-1"])
            #expect(skus(try await client.get("/products", key: acmeKey)) == ["A-1"])
            #expect(skus(try await client.get("/products?partner_name=rival", key: acmeKey)).isEmpty)
            #expect(skus(try await client.get("/products?status=all", key: analyst)) == ["A-1", "A-2", "R-1"])
            #expect(skus(try await client.get("/products?status=inactive", key: app.adminKey)) == ["A-2"])
            for key in [reader, acmeKey] {
                for status in ["all", "inactive"] {
                    let response = try await client.get("/products?status=\(status)", key: key)
                    #expect(response.status == .forbidden)
                    #expect(response.errorCode == "FORBIDDEN")
                }
                #expect(try await client.get("/products?status=active", key: key).status == .ok)
                #expect(try await client.get("/products/PR00002", key: key).status == .notFound)
            }
            #expect(try await client.get("/products/PR00003", key: acmeKey).status == .notFound, "another partner's product")
            #expect(try await client.get("/products/PR00003", key: reader).status == .ok)
            #expect(try await client.get("/products/PR00002", key: analyst).json["status"] as? String == "inactive")
            #expect(try await client.get("/products/PR99999", key: app.adminKey).status == .notFound)
            #expect(try await client.get("/products/XX1", key: app.adminKey).status == .notFound)
            #expect(try await client.get("/products", key: nil).status == .unauthorized)
            #expect(try await client.get("/products/PR00001", key: nil).status == .unauthorized)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func singleProductsCarryETagsAndAnswer304(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            try await client.load("sku,product_name,price\nA-1,Alpha,1.50\n", key: key)
            let first = try await client.get("/products/PR00001", key: key)
            let tag = try #require(first.headers[.eTag])
            #expect(tag.hasPrefix("\"") && tag.hasSuffix("\""))
            #expect(try await client.get("/products/PR00001", key: key).headers[.eTag] == tag, "stable while unchanged")

            func conditional(_ ifNoneMatch: String) async throws -> TestResponse {
                try await client.execute(uri: "/products/PR00001", method: .get, headers: headers(key: key, [.ifNoneMatch: ifNoneMatch]))
            }
            for header in [tag, "W/\(tag)", "\"other\", \(tag)", "*"] {
                let notModified = try await conditional(header)
                #expect(notModified.status == .notModified, "If-None-Match: \(header)")
                #expect(notModified.body.readableBytes == 0)
                #expect(notModified.headers[.eTag] == tag)
            }
            #expect(try await conditional("\"other\"").status == .ok)

            try await client.load("sku,product_name,price\nA-1,Alpha,1.75\n", key: key)
            let changed = try await conditional(tag)
            #expect(changed.status == .ok)
            #expect(changed.headers[.eTag] != tag)
            #expect(JSONNumberText.values(of: "price", in: String(buffer: changed.body)) == ["1.75"])
        }
    }
}
