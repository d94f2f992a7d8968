import CatalogCore
import CatalogTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// A feed's changes become visible all at once: a reader during a 100k-row job sees the old rows or
/// all the new ones, never a mix.
@Suite struct AtomicVisibilityTests {
    static func feed(rows: Int, price: String) -> [UInt8] {
        var csv = "sku,product_name,price\n"
        csv.reserveCapacity(rows * 32)
        for index in 0..<rows { csv += "SKU-\(index),Product \(index),\(price)\n" }
        return Array(csv.utf8)
    }

    @Test(arguments: StoreKind.allCases)
    func readersSeeAllOrNothingOfAFeed(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let rows = 100_000
        try await app.testWithWorker { client in
            _ = try await client.uploadRaw(Self.feed(rows: rows, price: "1.00"), key: app.adminKey, query: "partner_name=acme")
            _ = try await client.execute(uri: "/jobs/JV00001/run", method: .post, headers: headers(key: app.adminKey))
            let first = try await app.catalog.runs.waitForFinish("JV00001", timeout: 300)
            #expect(first.status == .completed)

            _ = try await client.uploadRaw(Self.feed(rows: rows, price: "2.00"), key: app.adminKey, query: "partner_name=acme")
            _ = try await client.execute(uri: "/jobs/JV00002/run", method: .post, headers: headers(key: app.adminKey))
            var observations: [String] = []
            var finished = false
            let deadline = Date().addingTimeInterval(300)
            while !finished && Date() < deadline {
                let status = try await app.catalog.store.job(id: "JV00002")?.status
                finished = status == .completed || status == .failed
                let seen = try await app.rows("""
                    SELECT count(*) AS n, count(DISTINCT feed_id) AS feeds, min(feed_id) AS feed, min(price_units) AS low,
                        max(price_units) AS high
                    FROM products
                    """)[0]
                let n = (seen["n"] ?? nil) ?? "", feeds = (seen["feeds"] ?? nil) ?? "", feed = (seen["feed"] ?? nil) ?? ""
                let low = (seen["low"] ?? nil) ?? "", high = (seen["high"] ?? nil) ?? ""
                observations.append("\(n) \(feeds) \(feed) \(low) \(high)")
                #expect(n == String(rows) && feeds == "1" && low == high, "a reader saw a mix: \(observations.last!)")
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await app.catalog.store.job(id: "JV00002")?.status == .completed)
            #expect(observations.contains { $0.hasSuffix("FD00001 10000 10000") }, "no read happened during the job")
            #expect(observations.last?.hasSuffix("FD00002 20000 20000") == true)
        }
    }
}
