import CatalogCore
import CatalogTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// The product object's exact bytes (§Products), pinned so that a faster writer changes none: nulls,
/// escapes, non-ASCII text, exact decimals, several images, attributes, GTIN and MPN, as a single
/// product, as a list page and in the change feed, on both stores (PostgreSQL mode reads the node's copy).
@Suite struct ProductJSONPinTests {
    static let csv = [
        #"sku,product_name,price,currency,description,brand,category,availability,quantity,image_url,gtin,mpn,"Colour ""shade""",notes,size"#,
        #"Q-1,"Tent ""Ridge"" – 2P ⛺",1299.5000,eur,"Line one"#,
        #"line two \ back",,Tents,In Stock,7,https://img.example.com/a.jpg|https://img.example.com/b.jpg?x=1&y=2,036000291452,MPN-1,"#
            + #""green/""olive""","a"# + "\t" + #"b","#,
        "Q-2,Mug,0.0001,,,,,,,,,,,,",
    ].joined(separator: "\n") + "\n"

    static let first = #"""
        {"attributes":{"Colour \"shade\"":"green/\"olive\"","notes":"a\tb","size":""},"availability":"in_stock","brand":null,"category":"Tents","created_at":"T","currency":"EUR","description":"Line one\nline two \\ back","feed_id":"FD00001","gtin":"00036000291452","image_urls":["https://img.example.com/a.jpg","https://img.example.com/b.jpg?x=1&y=2"],"mpn":"MPN-1","partner_name":"acme","price":1299.5,"product_id":"PR00001","product_name":"Tent \"Ridge\" – 2P ⛺","quantity":7,"sku":"Q-1","status":"active","updated_at":"T"}
        """#
    static let second = #"""
        {"attributes":{"Colour \"shade\"":"","notes":"","size":""},"availability":"out_of_stock","brand":null,"category":null,"created_at":"T","currency":"USD","description":null,"feed_id":"FD00001","gtin":null,"image_urls":[],"mpn":null,"partner_name":"acme","price":0.0001,"product_id":"PR00002","product_name":"Mug","quantity":null,"sku":"Q-2","status":"active","updated_at":"T"}
        """#

    /// The body with every timestamp replaced by `T`, once each is checked to be UTC with milliseconds.
    static func withoutTimes(_ body: String) -> String {
        let stamp = /"(created_at|updated_at)":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"/
        #expect(body.matches(of: /"(created_at|updated_at)":"/).count == body.matches(of: stamp).count, "\(body)")
        return body.replacing(stamp) { match in "\"\(match.output.1)\":\"T\"" }
    }

    @Test(arguments: StoreKind.allCases)
    func productJSONIsByteForByteAsPinned(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            let job = try await client.load(Self.csv, key: key)
            #expect((job["summary"] as? [String: Any])?["inserted"] as? Int == 2, "\(job)")

            #expect(Self.withoutTimes(String(buffer: try await client.get("/products/PR00001", key: key).body)) == Self.first)
            #expect(Self.withoutTimes(String(buffer: try await client.get("/products/PR00002", key: key).body)) == Self.second)
            let page = String(buffer: try await client.get("/products", key: key).body)
            #expect(Self.withoutTimes(page) == #"{"count":2,"items":["# + Self.first + "," + Self.second + #"],"next_cursor":null}"#)

            let changes = String(buffer: try await client.get("/products/changes?since=0", key: key).body)
            #expect(Self.withoutTimes(changes).contains(#""product":"# + Self.first + "}"), "\(changes)")
            #expect(Self.withoutTimes(changes).contains(#""product":"# + Self.second + "}"), "\(changes)")
        }
    }
}
