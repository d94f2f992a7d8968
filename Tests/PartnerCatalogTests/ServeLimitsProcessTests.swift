import CatalogTestSupport
import Foundation
import Testing

/// `serve` at start: the open-file limit raised and logged, the connection cap kept below it,
/// leftovers of a killed process removed, the idle timeout from the environment applied.
@Suite struct ServeLimitsProcessTests {
    @Test func startRaisesTheFileLimitRemovesLeftoversAndAppliesTheIdleTimeout() async throws {
        let directory = NSTemporaryDirectory() + "partner-catalog-limits-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // What a kill -9 mid-upload leaves: an object in the making and a spool file.
        try FileManager.default.createDirectory(atPath: directory + "/objects/.tmp", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/tmp", withIntermediateDirectories: true)
        let partialObject = directory + "/objects/.tmp/5D1E2F00-partial-upload"
        let spool = directory + "/tmp/spool-5D1E2F00"
        #expect(FileManager.default.createFile(atPath: partialObject, contents: Data(repeating: 1, count: 1 << 20)))
        #expect(FileManager.default.createFile(atPath: spool, contents: Data(repeating: 2, count: 1 << 10)))

        let port = CatalogProcess.freePort()
        let log = NSTemporaryDirectory() + "limits-serve-\(port).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        var environment = ProcessInfo.processInfo.environment
        environment["CATALOG_DATA_DIR"] = directory
        environment["CATALOG_IDLE_TIMEOUT"] = "1s"
        environment["CATALOG_ADMIN_KEY"] = "limits-test-admin-key-0123456789"
        environment["CATALOG_DATABASE_URL"] = nil
        environment["CATALOG_OBJECT_STORE"] = nil
        // A soft limit under a low hard one: serve raises the soft limit to 600 and keeps the cap below it.
        let server = try ChildProcess(
            "/bin/bash", ["-c", "ulimit -Sn 300 && ulimit -Hn 600 && exec \"$0\" serve --port \(port) --workers 0", try CatalogProcess.executable],
            environment: environment, outputPath: log)
        defer { server.stop() }
        let http = HTTP(base: "http://127.0.0.1:\(port)", key: "")
        var up = false
        for _ in 0..<300 where !up && server.isRunning {
            up = (try? await http.call("GET", "/health", timeout: 2))?.status == 200
            if !up { try await Task.sleep(for: .milliseconds(100)) }
        }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        try #require(up, "serve did not come up:\n\(output)")

        let line = try #require(output.split(separator: "\n").first { $0.contains("open file limit") }, "\(output)")
        let record = try #require((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])
        #expect(record["soft"] as? Int == 600 && record["hard"] as? Int == 600, "\(record)")
        #expect(record["max_connections"] as? Int == 472, "\(record)")
        #expect(record["level"] as? String == "warning", "\(record)")
        #expect(!FileManager.default.fileExists(atPath: partialObject))
        #expect(!FileManager.default.fileExists(atPath: spool))

        let idle = try RawConnection(port: port)
        _ = await idle.send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(await idle.waitForResponse()?.status == 200)
        #expect(await idle.waitForClose(timeout: .seconds(5)) != nil, "an idle connection stayed open")
    }

    @Test func aBadIdleTimeoutIsOneClearLine() async throws {
        let output = NSTemporaryDirectory() + "limits-bad-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let child = try ChildProcess(
            try CatalogProcess.executable, ["serve", "--idle-timeout", "soon"],
            environment: ProcessInfo.processInfo.environment, outputPath: output)
        // Generous: under a loaded `make test` a debug binary can take long to start; the exit is what counts.
        let status = try await child.wait(timeout: 120)
        #expect(status != 0)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(text.contains("CATALOG_IDLE_TIMEOUT"), "\(text)")
    }
}
