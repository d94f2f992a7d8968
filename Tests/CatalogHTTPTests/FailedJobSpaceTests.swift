import CatalogCore
import CatalogTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// A failed job gives back the space its writes took: the embedded store's write-ahead log, which a
/// merge that fails on a full disk would leave at its full size, is truncated (issue 17).
@Suite struct FailedJobSpaceTests {
    @Test func aFailedJobTruncatesTheWriteAheadLog() async throws {
        let app = try await TestApp.make(.sqlite)
        let wal = app.directory.path + "/catalog.sqlite-wal"
        @Sendable func walBytes() -> Int { ((try? FileManager.default.attributesOfItem(atPath: wal))?[.size] as? Int) ?? 0 }
        try await app.testWithWorker { client in
            let rows = (0..<20_000).map { "W-\($0),Product \($0) with a name long enough to take some room,\($0 % 500).25" }
            try await client.load("sku,product_name,price\n" + rows.joined(separator: "\n") + "\n", key: app.adminKey,
                                  query: "partner_name=acme")
            // The feed's catalog items are regrouped after its products, in this same file: let them finish.
            #expect(await app.follower.waitUntilItemsCaughtUp(timeout: 120))
            let before = walBytes()
            #expect(before > 2 << 20, "the loaded feed left a write-ahead log of \(before) bytes")

            let upload = try await client.uploadRaw(Array("sku,product_name,price\nW-1,Changed,1.00\n".utf8), key: app.adminKey,
                                                    query: "partner_name=acme&file_name=b.csv")
            let feed = upload.json
            let path = app.directory.path + "/objects/" + (feed["raw_file_s3_key"] as! String)
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[bytes.count - 2] = UInt8(ascii: "9")
            try bytes.write(to: URL(fileURLWithPath: path))
            let job = try await client.run(feed["validation_job_id"] as! String, key: app.adminKey)
            #expect(job["status"] as? String == "failed")
            // Truncated at the failure; the failure's own record adds a few pages after it.
            #expect(walBytes() < 512 << 10, "the write-ahead log is \(walBytes()) bytes after the failed job (was \(before))")
        }
    }
}
