import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The processes' logs as operators read them: JSON lines through the bootstrapped handler, at CATALOG_LOG_LEVEL.
@Suite(.serialized) struct LogProcessTests {
    let adminKey = "log-test-admin-key-0123456789abcdef"

    /// The output's lines that are JSON objects, and the ones that are not.
    func parse(_ log: String) -> (records: [[String: Any]], other: [String]) {
        var records: [[String: Any]] = []
        var other: [String] = []
        for line in log.split(separator: "\n") {
            if let record = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] {
                records.append(record)
            } else {
                other.append(String(line))
            }
        }
        return (records, other)
    }

    func serve(_ directory: String, level: String?) throws -> (CatalogProcess, HTTP) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port = CatalogProcess.freePort()
        var environment = ["CATALOG_DATA_DIR": directory, "CATALOG_ADMIN_KEY": adminKey, "CATALOG_DATABASE_URL": ""]
        if let level { environment["CATALOG_LOG_LEVEL"] = level }
        let server = try CatalogProcess(["serve", "--port", String(port), "--auto-run"], environment: environment, log: directory + "/serve.log")
        return (server, HTTP(base: "http://127.0.0.1:\(port)", key: adminKey))
    }

    @Test func serveWritesOneJSONLinePerRequestAndPerJobTransition() async throws {
        let directory = NSTemporaryDirectory() + "partner-catalog-logs-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (server, http) = try serve(directory, level: "info")
        defer { server.stop() }
        try await http.waitUntilUp(server)

        var request = URLRequest(url: URL(string: http.base + "/feeds/upload?partner_name=acme&file_name=a.csv")!)
        request.httpMethod = "POST"
        request.setValue(adminKey, forHTTPHeaderField: "X-API-Key")
        request.setValue("text/csv", forHTTPHeaderField: "Content-Type")
        request.setValue("upload-from-the-test", forHTTPHeaderField: "X-Request-Id")
        request.httpBody = Data("sku,product_name,price\nA-1,Alpha,1.00\nB-2,Beta,2.00\n".utf8)
        let (body, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 201)
        let feed = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let jobID = try #require(feed["validation_job_id"] as? String)
        var job = try await http.call("GET", "/jobs/\(jobID)")
        let deadline = Date().addingTimeInterval(30)
        while job.json["status"] as? String != "completed" && Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
            job = try await http.call("GET", "/jobs/\(jobID)")
        }
        #expect(job.json["status"] as? String == "completed")
        #expect(try await http.call("GET", "/nowhere").status == 404)
        server.stop()

        let (records, other) = parse(server.log)
        #expect(other.isEmpty, "every line is JSON: \(other)")
        #expect(records.allSatisfy { $0["time"] is String && $0["level"] is String && $0["logger"] is String && $0["message"] is String })
        // Hummingbird's own lines come through the same handler.
        #expect(records.contains { ($0["message"] as? String)?.hasPrefix("Server started") == true }, "\(server.log)")
        let requests = records.filter { $0["message"] as? String == "request" }
        let upload = requests.filter { $0["request_id"] as? String == "upload-from-the-test" }
        #expect(upload.count == 1)
        #expect(upload.first?["status"] as? Int == 201 && upload.first?["route"] as? String == "/feeds/upload")
        #expect(requests.contains { $0["route"] as? String == "NotFound" && $0["status"] as? Int == 404 })
        #expect(requests.filter { $0["route"] as? String == "/jobs/{job_id}" }.allSatisfy { $0["status"] as? Int == 200 })
        let transitions = records.filter { $0["job_id"] as? String == jobID }.compactMap { $0["message"] as? String }
        #expect(transitions == ["job queued", "job started", "job completed"], "\(server.log)")
        #expect(!records.contains { $0["level"] as? String == "debug" || $0["level"] as? String == "trace" })
    }

    @Test func aLevelAboveInfoSilencesRequestLinesAndAnUnknownLevelIsRefused() async throws {
        let directory = NSTemporaryDirectory() + "partner-catalog-logs-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (server, http) = try serve(directory, level: "WARNING")
        defer { server.stop() }
        try await http.waitUntilUp(server)
        #expect(try await http.call("GET", "/feeds").status == 200)
        #expect(try await http.call("GET", "/nowhere").status == 404)
        server.stop()
        let (records, other) = parse(server.log)
        #expect(other.isEmpty && records.isEmpty, "nothing at warning or above happened: \(server.log)")

        let refused = try CatalogProcess(["serve", "--log-level", "loud"], environment: ["CATALOG_DATA_DIR": directory],
                                         log: directory + "/refused.log")
        let status = try await refused.child.wait(timeout: 30)
        #expect(status != 0)
        #expect(refused.log.hasPrefix("error: Unknown log level 'loud'") && refused.log.split(separator: "\n").count == 1, "\(refused.log)")
    }

    @Test func ingestLogsTransitionsOnlyWhenAsked() async throws {
        let directory = NSTemporaryDirectory() + "partner-catalog-logs-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = directory + "/spring.csv"
        try Data("sku,product_name,price\nA-1,Alpha,1.00\n".utf8).write(to: URL(fileURLWithPath: file))
        for (name, level) in [("quiet", nil), ("info", "info")] as [(String, String?)] {
            var environment = ["CATALOG_DATA_DIR": directory + "/" + name, "CATALOG_DATABASE_URL": ""]
            environment["CATALOG_LOG_LEVEL"] = level ?? ""
            let ingest = try CatalogProcess(["ingest", file, "--partner", "acme"], environment: environment, log: directory + "/\(name).log")
            #expect(try await ingest.child.wait(timeout: 60) == 0, "\(ingest.log)")
            let (records, other) = parse(ingest.log)
            #expect(other.contains { $0.contains("completed: ETL processing completed.") }, "\(ingest.log)")
            let transitions = records.compactMap { $0["message"] as? String }
            if level == nil {
                #expect(records.isEmpty, "ingest is quiet by default: \(ingest.log)")
            } else {
                #expect(transitions == ["job queued", "job run requested", "job started", "job completed"], "\(ingest.log)")
            }
        }
    }
}
