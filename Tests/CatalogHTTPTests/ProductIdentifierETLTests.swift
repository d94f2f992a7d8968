import CatalogCore
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// §Unified catalog on the write path: `gtin` (aliases `ean`, `upc`, `barcode`) and `mpn` in products
/// feeds, stored as GTIN-14 and shown on products; an invalid GTIN skips its row with `invalid_gtin`.
@Suite struct ProductIdentifierETLTests {
    static func bySKU(_ items: [[String: Any]]) -> [String: [String: Any]] {
        Dictionary(uniqueKeysWithValues: items.map { ($0["sku"] as! String, $0) })
    }

    @Test(arguments: StoreKind.allCases)
    func gtinsAndMPNsAreValidatedNormalisedAndShown(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            let csv = """
                sku,product_name,price,EAN,mpn,colour
                T-1,Tent,249.00,4006381333931,  TNT-2P ,green
                T-2,Pad,59.90,0 36000 29145 2,,blue
                T-3,Lamp,19.95,,LMP-300,
                T-4,Bag,89.00,4006381333932,BG-1,
                T-5,Stove,49.00,12345,ST-1,
                T-6,Mug,5.00,96385074,\(String(repeating: "M", count: 71)),

                """
            let job = try await client.load(csv, key: key)
            let summary = try #require(job["summary"] as? [String: Any])
            #expect(summary["inserted"] as? Int == 3 && summary["skipped"] as? Int == 3, "\(summary)")

            let products = Self.bySKU(try await client.walk("/products?limit=200", key: key))
            #expect(products["T-1"]?["gtin"] as? String == "04006381333931")
            #expect(products["T-1"]?["mpn"] as? String == "TNT-2P")
            #expect(products["T-1"]?["attributes"] as? [String: String] == ["colour": "green"], "ean and mpn are fields, not attributes")
            #expect(products["T-2"]?["gtin"] as? String == "00036000291452")
            #expect(products["T-2"]?["mpn"] is NSNull)
            #expect(products["T-3"]?["gtin"] is NSNull)
            #expect(products["T-3"]?["mpn"] as? String == "LMP-300")

            let errors = try await client.get("/jobs/\(job["job_id"] as! String)/errors", key: key).items
            let bySKU = Self.bySKU(errors)
            #expect(bySKU["T-4"]?["code"] as? String == "invalid_gtin" && bySKU["T-4"]?["column"] as? String == "gtin")
            #expect(bySKU["T-4"]?["value"] as? String == "4006381333932")
            #expect((bySKU["T-4"]?["message"] as? String)?.contains("check digit") == true)
            #expect(bySKU["T-5"]?["code"] as? String == "invalid_gtin" && (bySKU["T-5"]?["message"] as? String)?.contains("not 5") == true)
            #expect(bySKU["T-6"]?["code"] as? String == "too_long" && bySKU["T-6"]?["column"] as? String == "mpn")

            // The same feed again changes nothing; another form of the same GTIN is no change either;
            // a new GTIN, or none, is an update.
            let again = try #require(try await client.load(csv, key: key)["summary"] as? [String: Any])
            #expect(again["unchanged"] as? Int == 3 && again["updated"] as? Int == 0, "\(again)")
            let next = try #require(try await client.load("""
                sku,product_name,price,barcode,mpn,colour
                T-1,Tent,249.00,04006381333931,TNT-2P,green
                T-2,Pad,59.90,5012345678900,,blue
                T-3,Lamp,19.95,,,

                """, key: key)["summary"] as? [String: Any])
            #expect(next["unchanged"] as? Int == 1 && next["updated"] as? Int == 2, "\(next)")
            let updated = Self.bySKU(try await client.walk("/products?limit=200", key: key))
            #expect(updated["T-2"]?["gtin"] as? String == "05012345678900")
            #expect(updated["T-3"]?["mpn"] is NSNull)
        }
    }
}
