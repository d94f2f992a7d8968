import CatalogCore
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Feeds in TSV, JSON and NDJSON beside CSV (§Sources, end): uploaded by `Content-Type` or file name,
/// stored as sent, read by the ETL with the CSV columns' rules and diagnostics that name the record.
@Suite struct FeedFormatTests {
    static let ndjson = """
        {"sku":"N-1","product_name":"Tent","price":249.00,"currency":"eur","quantity":3,"image_urls":["https://img.example.com/1.jpg","https://img.example.com/2.jpg"],"specs":{"weight_g":1850,"season":3}}
        {"sku":"N-2","title":"Pad","price":"59.90","ean":"4006381333931","in_box":true}

        {"sku":"N-3","product_name":"Lamp"}
        not json at all
        [1,2,3]
        {"sku":"N-4","product_name":"Stove","price":1e2}
        {"sku":"N-1","product_name":"Tent again","price":1}

        """

    static func bySKU(_ items: [[String: Any]]) -> [String: [String: Any]] {
        Dictionary(uniqueKeysWithValues: items.compactMap { item in (item["sku"] as? String).map { ($0, item) } })
    }

    func upload(_ client: any TestClientProtocol, _ body: [UInt8], key: String, contentType: String, query: String = "",
                encoding: String? = nil) async throws -> TestResponse {
        var fields: [HTTPField.Name: String] = [.contentType: contentType]
        if let encoding { fields[.contentEncoding] = encoding }
        return try await client.execute(
            uri: "/feeds/upload" + (query.isEmpty ? "" : "?" + query), method: .post, headers: headers(key: key, fields),
            body: ByteBuffer(bytes: body))
    }

    @Test(arguments: StoreKind.allCases)
    func ndjsonRecordsLoadWithDiagnosticsByLine(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            let uploaded = try await upload(client, Array(Self.ndjson.utf8), key: key, contentType: "application/x-ndjson")
            #expect(uploaded.status == .created, "\(String(buffer: uploaded.body))")
            #expect(uploaded.json["format"] as? String == "ndjson")
            #expect(uploaded.json["content_type"] as? String == "application/x-ndjson")
            #expect(uploaded.json["file_name"] as? String == "upload.ndjson")
            let feedID = try #require(uploaded.json["feed_id"] as? String)
            #expect(Array(try await client.get("/feeds/\(feedID)/raw", key: key).body.readableBytesView) == Array(Self.ndjson.utf8))

            let job = try await client.run(try #require(uploaded.json["validation_job_id"] as? String), key: key)
            let summary = try #require(job["summary"] as? [String: Any])
            #expect(summary["rows_total"] as? Int == 7 && summary["inserted"] as? Int == 2 && summary["skipped"] as? Int == 5, "\(summary)")

            let products = Self.bySKU(try await client.walk("/products?limit=200", key: key))
            #expect(JSONNumberText.values(of: "price", in: String(buffer: try await client.get("/products?sku=N-1", key: key).body)) == ["249"])
            #expect(products["N-1"]?["currency"] as? String == "EUR")
            #expect(products["N-1"]?["image_urls"] as? [String] == ["https://img.example.com/1.jpg", "https://img.example.com/2.jpg"])
            #expect(products["N-1"]?["attributes"] as? [String: String] == ["specs": #"{"weight_g":1850,"season":3}"#])
            #expect(products["N-2"]?["product_name"] as? String == "Pad")
            #expect(products["N-2"]?["gtin"] as? String == "04006381333931")
            #expect(products["N-2"]?["attributes"] as? [String: String] == ["in_box": "true"])

            let errors = try await client.get("/jobs/\(job["job_id"] as! String)/errors", key: key).items
            #expect(errors.map { $0["line"] as? Int } == [4, 5, 6, 7, 8], "\(errors)")
            #expect(errors.map { $0["code"] as? String } == ["invalid_price", "invalid_json", "not_an_object", "invalid_price", "duplicate_sku"])
            #expect((errors[0]["message"] as? String)?.contains("price is required") == true)

            // The same feed again: every valid record unchanged.
            let again = try await upload(client, Array(Self.ndjson.utf8), key: key, contentType: "application/x-ndjson")
            let rerun = try await client.run(try #require(again.json["validation_job_id"] as? String), key: key)
            #expect((rerun["summary"] as? [String: Any])?["unchanged"] as? Int == 2, "\(rerun)")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func jsonArraysTSVAndGzipLoadToo(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            let array = #"[{"sku":"J-1","product_name":"Mug","price":5},{"sku":"J-2","product_name":"Cup"},"#
                + #" {"sku":"J-3","product_name":"Bowl","price":7.25,"brand":null}]"#
            let json = try await upload(client, Array(array.utf8), key: key, contentType: "application/json")
            #expect(json.status == .created && json.json["format"] as? String == "json", "\(String(buffer: json.body))")
            let jsonJob = try await client.run(json.json["validation_job_id"] as! String, key: key)
            #expect((jsonJob["summary"] as? [String: Any])?["inserted"] as? Int == 2, "\(jsonJob)")
            let jsonErrors = try await client.get("/jobs/\(jsonJob["job_id"] as! String)/errors", key: key).items
            #expect(jsonErrors.map { $0["line"] as? Int } == [2], "the element's number")

            let tsv = "sku\tproduct_name\tprice\tcategory\nT-1\tTent, two person\t249.00\tTents\nT-2\t\"Quoted\tTab\"\t1\t\n"
            let tsvUpload = try await upload(client, Array(tsv.utf8), key: key, contentType: "text/tab-separated-values")
            #expect(tsvUpload.status == .created && tsvUpload.json["format"] as? String == "tsv")
            let tsvJob = try await client.run(tsvUpload.json["validation_job_id"] as! String, key: key)
            #expect((tsvJob["summary"] as? [String: Any])?["inserted"] as? Int == 2, "\(tsvJob)")

            // gzip, the format named by the file's extension in a multipart form.
            let gzipped = Gzip.compress(Array(#"{"sku":"G-1","product_name":"Zipped","price":3}"#.utf8) + [0x0A])
            let form = try await client.uploadMultipart([.file(fileName: "vendor.ndjson.gz", bytes: gzipped)], key: key)
            #expect(form.status == .created && form.json["format"] as? String == "ndjson", "\(String(buffer: form.body))")
            #expect(form.json["content_type"] as? String == "application/gzip")
            let formJob = try await client.run(form.json["validation_job_id"] as! String, key: key)
            #expect((formJob["summary"] as? [String: Any])?["inserted"] as? Int == 1, "\(formJob)")

            let products = Self.bySKU(try await client.walk("/products?limit=200", key: key))
            #expect(Set(products.keys) == ["J-1", "J-3", "T-1", "T-2", "G-1"])
            #expect(products["T-1"]?["product_name"] as? String == "Tent, two person")
            #expect(products["T-2"]?["product_name"] as? String == "Quoted\tTab")
            #expect(products["T-2"]?["category"] is NSNull)

            // What is not the declared format is refused before anything is stored.
            let notArray = try await upload(client, Array(#"{"sku":"X"}"#.utf8), key: key, contentType: "application/json")
            #expect(notArray.status == .unprocessableContent && notArray.errorCode == "INVALID_FEED")
            let badArray = try await upload(client, Array(#"[{"sku":"X","product_name":"Y","price":1} {"#.utf8), key: key,
                                            contentType: "application/json")
            #expect(badArray.status == .created, "the array's inside is the ETL's to judge")
            let failed = try await client.run(badArray.json["validation_job_id"] as! String, key: key)
            #expect(failed["status"] as? String == "failed", "\(failed)")
            #expect(((failed["error"] as? [String: Any])?["message"] as? String)?.contains("Expected ','") == true, "\(failed)")
        }
    }
}
