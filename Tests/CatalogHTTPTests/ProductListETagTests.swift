import CatalogCore
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// §Products, conditional list pages: a weak ETag from the read model's change position and the query
/// as the key may run it; `If-None-Match` with it answers 304 until a job changes products.
@Suite struct ProductListETagTests {
    @Test(arguments: StoreKind.allCases)
    func aPageAnswers304UntilAJobChangesProducts(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, acme) = try await app.createPartner("acme")
        let (_, rival) = try await app.createPartner("rival")
        try await app.testWithWorker { client in
            try await client.load("sku,product_name,price\nA-1,Alpha,1.50\nA-2,Beta,2.50\nA-3,Gamma,3.50\n", key: acme)
            try await client.load("sku,product_name,price\nR-1,Rho,9.00\n", key: rival)

            func get(_ uri: String, key: String, ifNoneMatch: String? = nil) async throws -> TestResponse {
                var extra: [HTTPField.Name: String] = [:]
                if let ifNoneMatch { extra[.ifNoneMatch] = ifNoneMatch }
                return try await client.execute(uri: uri, method: .get, headers: headers(key: key, extra))
            }
            let first = try await get("/products?limit=2", key: acme)
            #expect(first.status == .ok)
            let tag = try #require(first.headers[.eTag])
            #expect(tag.hasPrefix("W/\"") && tag.hasSuffix("\""), "\(tag)")
            #expect(try await get("/products?limit=2", key: acme).headers[.eTag] == tag, "stable while nothing changes")

            let notModified = try await get("/products?limit=2", key: acme, ifNoneMatch: tag)
            #expect(notModified.status == .notModified)
            #expect(notModified.body.readableBytes == 0)
            #expect(notModified.headers[.eTag] == tag)
            #expect(try await get("/products?limit=2", key: acme, ifNoneMatch: "\"other\", \(tag)").status == .notModified)

            // Another query, another page of the walk, another partner's view: other tags.
            #expect(try await get("/products?limit=3", key: acme, ifNoneMatch: tag).status == .ok)
            let cursor = try #require(first.json["next_cursor"] as? String)
            let second = try await get("/products?limit=2&cursor=\(cursor)", key: acme, ifNoneMatch: tag)
            #expect(second.status == .ok && second.items.count == 1)
            let rivalPage = try await get("/products?limit=2", key: rival, ifNoneMatch: tag)
            #expect(rivalPage.status == .ok && rivalPage.items.map { $0["sku"] as? String } == ["R-1"])

            // A rule is checked before any 304: a reader may not list inactive products, tag or not.
            let reader = try await app.createKey(.reader)
            #expect(try await get("/products?status=inactive", key: reader, ifNoneMatch: "*").status == .forbidden)

            // A run that changes nothing keeps the tag; a change anywhere in the feed moves it.
            try await client.load("sku,product_name,price\nA-1,Alpha,1.50\n", key: acme)
            #expect(try await get("/products?limit=2", key: acme, ifNoneMatch: tag).status == .notModified)
            try await client.load("sku,product_name,price\nA-2,Beta,2.75\n", key: acme)
            let changed = try await get("/products?limit=2", key: acme, ifNoneMatch: tag)
            #expect(changed.status == .ok, "read your writes: the page after the job is new")
            let newTag = try #require(changed.headers[.eTag])
            #expect(newTag != tag)
            #expect(JSONNumberText.values(of: "price", in: String(buffer: changed.body)) == ["1.5", "2.75"])
            #expect(try await get("/products?limit=2", key: acme, ifNoneMatch: newTag).status == .notModified)
        }
    }
}
