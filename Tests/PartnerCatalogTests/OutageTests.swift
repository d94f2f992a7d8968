import Foundation
import Testing

/// PostgreSQL going away under a running `serve`: 503 during the outage, service again after it,
/// without a restart, and no upload lost.
@Suite(.serialized) struct OutageTests {
    @Test func restartingPostgresGives503ThenRecovers() async throws {
        let postgres = try await OwnPostgres.start()
        defer { postgres.remove() }
        let directory = NSTemporaryDirectory() + "partner-catalog-outage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = CatalogProcess.freePort()
        let adminKey = "outage-test-admin-key-0123456789"
        let server = try CatalogProcess(
            ["serve", "--port", String(port), "--workers", "1", "--auto-run"],
            environment: ["CATALOG_DATABASE_URL": postgres.url, "CATALOG_DATA_DIR": directory, "CATALOG_ADMIN_KEY": adminKey],
            log: NSTemporaryDirectory() + "outage-serve-\(port).log")
        defer { server.stop() }
        let http = HTTP(base: "http://127.0.0.1:\(port)", key: adminKey)
        try await http.waitUntilUp(server)

        let csv = Data("sku,product_name,price\nA-1,Alpha,1.00\n".utf8)
        let first = try await http.call("POST", "/feeds/upload?partner_name=acme", body: csv, contentType: "text/csv")
        #expect(first.status == 201, "\(first.json)")
        // The outage comes between requests, after the first feed's job (auto-run) has finished. A
        // connection lost during a COPY crashes the process inside PostgresNIO 1.33.2
        // (`sendCopyDone`/`sendCopyFail` preconditions): a known defect, not what this test is about.
        let jobID = try #require(first.json["validation_job_id"] as? String)
        let jobDeadline = Date().addingTimeInterval(60)
        while Date() < jobDeadline, try await http.call("GET", "/jobs/\(jobID)").json["status"] as? String != "completed" {
            try await Task.sleep(for: .milliseconds(100))
        }

        try await postgres.pause()
        let started = Date()
        let during = try await http.call("GET", "/feeds", timeout: 30)
        #expect(during.status == 503)
        #expect((during.json["error"] as? [String: Any])?["code"] as? String == "STORAGE_UNAVAILABLE")
        #expect(Date().timeIntervalSince(started) < 8, "the 503 took \(Date().timeIntervalSince(started)) s")
        let ready = try await http.call("GET", "/ready", timeout: 30)
        #expect(ready.status == 503)
        let refused = try await http.call("POST", "/feeds/upload?partner_name=acme", body: csv, contentType: "text/csv", timeout: 30)
        #expect(refused.status == 503)

        try await postgres.resume()
        var after = try await http.call("GET", "/feeds", timeout: 30)
        let deadline = Date().addingTimeInterval(30)
        while after.status != 200 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            after = try await http.call("GET", "/feeds", timeout: 30)
        }
        #expect(after.status == 200, "log:\n\(server.log)")
        // The upload from before the outage is there; the one refused during it left nothing behind.
        let feeds = (after.json["items"] as? [[String: Any]]) ?? []
        #expect(feeds.map { $0["feed_id"] as? String } == ["FD00001"])
        let again = try await http.call("POST", "/feeds/upload?partner_name=acme", body: csv, contentType: "text/csv")
        #expect(again.status == 201, "\(again.json)")
        #expect(try await http.call("GET", "/ready").status == 200)
    }
}
