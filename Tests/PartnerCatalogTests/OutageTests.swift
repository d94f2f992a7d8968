import Foundation
import Testing

/// PostgreSQL going away under a running `serve`: 503 during the outage, service again after it,
/// without a restart, and no upload lost.
@Suite(.serialized) struct OutageTests {
    @Test func restartingPostgresGives503ThenRecovers() async throws {
        try await Self.withServe(["--workers", "1", "--auto-run"], log: "outage-serve") { postgres, server, http in
            let csv = Data("sku,product_name,price\nA-1,Alpha,1.00\n".utf8)
            let first = try await http.call("POST", "/feeds/upload?partner_name=acme", body: csv, contentType: "text/csv")
            #expect(first.status == 201, "\(first.json)")

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

    /// PostgreSQL stops while a job is staging a large feed: the process lives on (PostgresNIO stops
    /// the process when a connection drops during COPY, which staging therefore does not use), and
    /// once PostgreSQL is back the job runs again and loads every row once.
    @Test func postgresStoppingDuringStagingLeavesTheProcessRunning() async throws {
        try await Self.withServe(["--workers", "1"], log: "outage-staging") { postgres, server, http in
            let rows = 30_000
            var csv = "sku,product_name,price,description\n"
            for index in 0..<rows { csv += "S-\(index),Product \(index),\(index % 500).25,tab\\there and a long enough description\n" }
            let upload = try await http.call("POST", "/feeds/upload?partner_name=acme", body: Data(csv.utf8), contentType: "text/csv", timeout: 60)
            #expect(upload.status == 201, "\(upload.json)")
            let jobID = try #require(upload.json["validation_job_id"] as? String)
            #expect(try await http.call("POST", "/jobs/\(jobID)/run").status == 202)
            // Stop PostgreSQL once the job has staged some rows and before it has merged them.
            let stagingDeadline = Date().addingTimeInterval(60)
            while Date() < stagingDeadline, try await postgres.count("SELECT count(*) FROM product_staging") == 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await postgres.pause()
            try await Task.sleep(for: .seconds(1))
            #expect(server.isRunning, "serve stopped when PostgreSQL went away mid-staging:\n\(server.log)")
            try await postgres.resume()

            let deadline = Date().addingTimeInterval(120)
            var job: [String: Any] = [:]
            while Date() < deadline, server.isRunning {
                job = try await http.call("GET", "/jobs/\(jobID)", timeout: 30).json
                if ["completed", "failed"].contains(job["status"] as? String) { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(job["status"] as? String == "completed", "job \(jobID): \(job)\n\(server.log)")
            let summary = job["summary"] as? [String: Any] ?? [:]
            #expect(summary["inserted"] as? Int == rows && summary["rows_total"] as? Int == rows, "\(summary)")
            #expect(try await postgres.count("SELECT count(*) FROM products") == rows)
        }
    }

    /// `partner-catalog serve` with `arguments` on a PostgreSQL of the test's own and an empty data folder,
    /// up and answering; both are removed afterwards.
    private static func withServe(
        _ arguments: [String], log: String, _ body: (OwnPostgres, CatalogProcess, HTTP) async throws -> Void
    ) async throws {
        let postgres = try await OwnPostgres.start()
        defer { postgres.remove() }
        let directory = NSTemporaryDirectory() + "partner-catalog-outage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = CatalogProcess.freePort()
        let adminKey = "outage-test-admin-key-0123456789"
        let server = try CatalogProcess(
            ["serve", "--port", String(port)] + arguments,
            environment: ["CATALOG_DATABASE_URL": postgres.url, "CATALOG_DATA_DIR": directory, "CATALOG_ADMIN_KEY": adminKey],
            log: NSTemporaryDirectory() + "\(log)-\(port).log")
        defer { server.stop() }
        let http = HTTP(base: "http://127.0.0.1:\(port)", key: adminKey)
        try await http.waitUntilUp(server)
        try await body(postgres, server, http)
    }
}
