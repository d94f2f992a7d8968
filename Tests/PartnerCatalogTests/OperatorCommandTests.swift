import CatalogTestSupport
import Foundation
import Testing

/// The operators' commands for §Webhooks and §Events on the embedded store: `webhooks create|list|disable`
/// and `events tail`, as a person runs them in a shell.
@Suite struct OperatorCommandTests {
    let directory = NSTemporaryDirectory() + "partner-catalog-cli-\(UUID().uuidString)"

    func cli(_ arguments: String, allowFailure: Bool = false) async throws -> String {
        let executable = try CatalogProcess.executable
        let environment = [
            "CATALOG_DATA_DIR": directory, "CATALOG_DATABASE_URL": "", "CATALOG_ALLOW_PRIVATE_TARGETS": "true", "CATALOG_LOG_LEVEL": "error",
        ]
        if allowFailure {
            return (try? await shell("\"\(executable)\" \(arguments) 2>&1 || echo \"exit $?\"", environment: environment)) ?? ""
        }
        return try await shell("\"\(executable)\" \(arguments)", environment: environment)
    }

    static func jsonLines(_ output: String) -> [[String: Any]] {
        output.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    @Test func webhooksAreManagedAndEventsTailedFromTheCommandLine() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = try await cli("partners create acme")

        let created = Self.jsonLines(try await cli(
            "webhooks create --url http://127.0.0.1:9/hook --events job.completed,feed.uploaded --partner acme --description ops"))
        let webhook = try #require(created.first)
        #expect(webhook["webhook_id"] as? String == "WH00001")
        #expect(webhook["events"] as? [String] == ["job.completed", "feed.uploaded"])
        #expect(webhook["partner_name"] as? String == "acme" && webhook["status"] as? String == "active")
        let secret = try #require(webhook["secret"] as? String)
        #expect(secret.hasPrefix("whsec_"))

        let listed = try await cli("webhooks list")
        #expect(Self.jsonLines(listed).map { $0["webhook_id"] as? String } == ["WH00001"])
        #expect(!listed.contains(secret) && !listed.contains("whsec_"), "a secret is shown once only")
        #expect(try await cli("webhooks disable WH00001").contains("WH00001 disabled"))
        #expect(Self.jsonLines(try await cli("webhooks list")).first?["status"] as? String == "disabled")
        let refused = try await cli("webhooks create --url ftp://example.com/x", allowFailure: true)
        #expect(refused.contains("error:") && refused.contains("exit 1"), "\(refused)")

        let feed = directory + "/feed.csv"
        try "sku,product_name,price\nA-1,Alpha,1.00\n".write(toFile: feed, atomically: true, encoding: .utf8)
        _ = try await cli("ingest \(feed) --partner acme")
        let all = Self.jsonLines(try await cli("events tail --since 0 --no-follow"))
        #expect(all.map { $0["type"] as? String } == ["feed.uploaded", "job.completed"], "\(all)")
        #expect(all.map { $0["event_id"] as? String } == ["EV00001", "EV00002"])
        #expect((all.last?["data"] as? [String: Any])?["status"] as? String == "completed")
        let completed = Self.jsonLines(try await cli("events tail --since 0 --no-follow --type job.completed"))
        #expect(completed.map { $0["event_id"] as? String } == ["EV00002"])
        #expect(Self.jsonLines(try await cli("events tail --since EV00001 --no-follow")).count == 1)
        let badType = try await cli("events tail --type nope --no-follow", allowFailure: true)
        #expect(badType.contains("type must be one of") && badType.contains("exit 1"), "\(badType)")

        // Following: the events recorded after --since, as they come.
        let output = directory + "/tail.log"
        let tail = try ChildProcess(
            try CatalogProcess.executable, ["events", "tail", "--since", "EV00002", "--interval", "0.2"],
            environment: ProcessInfo.processInfo.environment.merging(
                ["CATALOG_DATA_DIR": directory, "CATALOG_DATABASE_URL": "", "CATALOG_LOG_LEVEL": "error"], uniquingKeysWith: { $1 }),
            outputPath: output)
        defer { tail.stop() }
        try await Task.sleep(for: .milliseconds(500))
        #expect(tail.isRunning, "it follows rather than ending")
        _ = try await cli("ingest \(feed) --partner acme")
        var followed: [[String: Any]] = []
        let deadline = Date().addingTimeInterval(60)
        while followed.count < 2 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
            followed = Self.jsonLines((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
        }
        #expect(followed.map { $0["event_id"] as? String } == ["EV00003", "EV00004"], "\(followed)")
    }
}
