import CatalogCore
import CatalogHTTP
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct UploadScaleTests {
    @Test func fiftyConcurrentUploadsGetDistinctIDsAndIntactObjects() async throws {
        let app = try await TestApp.make()
        // Ten uploads per partner at once: above the per-partner cap, which this test is not about.
        try await app.test(limits: ServerLimits(uploadsPerPartner: 50)) { client in
            let feeds = try await withThrowingTaskGroup(of: (Int, UploadedFeed).self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let bytes = Bytes.productsCSV(rows: 20, seed: index)
                        let response = index.isMultiple(of: 2)
                            ? try await client.uploadRaw(bytes, key: app.adminKey, query: "partner_name=p\(index % 5)x&file_name=f\(index).csv")
                            : try await client.uploadMultipart(
                                [.file(fileName: "f\(index).csv", bytes: bytes), .field("partner_name", "p\(index % 5)x")], key: app.adminKey)
                        #expect(response.status == .created)
                        return (index, UploadedFeed(response.json))
                    }
                }
                return try await group.reduce(into: [(Int, UploadedFeed)]()) { $0.append($1) }
            }
            #expect(Set(feeds.compactMap { $0.1.feedID }).count == 50)
            #expect(Set(feeds.compactMap { $0.1.jobID }).count == 50)
            #expect(Set(feeds.compactMap { $0.1.validationJobID }).count == 50)
            #expect(Set(feeds.compactMap { $0.1.partnerID }).count == 5)
            for (index, feed) in feeds {
                let bytes = Bytes.productsCSV(rows: 20, seed: index)
                let key = try #require(feed.key)
                let stored = try Data(contentsOf: URL(fileURLWithPath: app.directory.path + "/objects/" + key))
                #expect(Array(stored) == bytes)
                #expect(feed.sha256 == Bytes.sha256(bytes))
            }
            #expect(app.storedObjects.count == 50)
        }
    }

    @Test func fiftyMegabyteUploadHashesToTheReportedDigest() async throws {
        let app = try await TestApp.make()
        var bytes = Array("sku,product_name,price,description\n".utf8)
        let row = Array("SKU-0000000,A product with a fairly long name,19.99,\"Description, quoted, with commas\"\n".utf8)
        while bytes.count < 50 << 20 { bytes.append(contentsOf: row) }
        let expected = Bytes.sha256(bytes)
        let body = bytes
        try await app.test { client in
            let response = try await client.uploadRaw(body, key: app.adminKey, query: "partner_name=bulk&file_name=big.csv")
            #expect(response.status == .created)
            #expect(response.json["sha256"] as? String == expected)
            #expect(response.json["size_bytes"] as? Int == body.count)
            let stored = try Data(contentsOf: URL(fileURLWithPath: app.directory.path + "/objects/raw/partners/bulk/feeds/FD00001/big.csv"))
            #expect(Bytes.sha256(stored) == expected)
        }
    }
}

struct UploadedFeed: Sendable {
    var feedID, jobID, validationJobID, partnerID, key, sha256: String?

    init(_ json: [String: Any]) {
        feedID = json["feed_id"] as? String
        jobID = json["job_id"] as? String
        validationJobID = json["validation_job_id"] as? String
        partnerID = json["partner_id"] as? String
        key = json["raw_file_s3_key"] as? String
        sha256 = json["sha256"] as? String
    }
}
