import CatalogTestSupport
import Foundation
import Testing

/// `partner-catalog sources create|list|fetch` (§Sources) on the embedded store, as an operator runs
/// them, and `serve` refusing to start when sealed credentials exist and CATALOG_SECRET_KEY is unset.
@Suite struct SourceCommandTests {
    let directory = NSTemporaryDirectory() + "partner-catalog-sources-cli-\(UUID().uuidString)"

    func cli(_ arguments: String, secretKey: String? = "ops-secret", allowFailure: Bool = false) async throws -> String {
        let executable = try CatalogProcess.executable
        var environment = [
            "CATALOG_DATA_DIR": directory, "CATALOG_DATABASE_URL": "", "CATALOG_ALLOW_PRIVATE_TARGETS": "true", "CATALOG_LOG_LEVEL": "error",
            "CATALOG_SECRET_KEY": secretKey ?? "",
        ]
        if secretKey == nil { environment["CATALOG_SECRET_KEY"] = "" }
        if allowFailure {
            return (try? await shell("\"\(executable)\" \(arguments) 2>&1 || echo \"exit $?\"", environment: environment)) ?? ""
        }
        return try await shell("\"\(executable)\" \(arguments)", environment: environment)
    }

    @Test func sourcesAreRegisteredListedAndFetchedFromTheCommandLine() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let created = OperatorCommandTests.jsonLines(try await cli("""
            sources create --partner acme --url http://127.0.0.1:9/vendor/products.csv --name mugs --every 6h \
            --settings '{"auth": {"type": "bearer", "token": "cli-token-123"}, "mapping": {"fields": {"sku": "item"}}}'
            """))
        let source = try #require(created.first)
        #expect(source["source_id"] as? String == "SR00001" && source["name"] as? String == "mugs")
        #expect((source["schedule"] as? [String: String]) == ["every": "6h"])
        #expect((source["auth"] as? [String: String]) == ["type": "bearer", "token": "****"])
        let listed = try await cli("sources list --partner acme")
        #expect(OperatorCommandTests.jsonLines(listed).map { $0["source_id"] as? String } == ["SR00001"])
        #expect(!listed.contains("cli-token-123"))
        let fetch = OperatorCommandTests.jsonLines(try await cli("sources fetch SR00001")).first
        #expect(fetch?["fetch_id"] as? String == "SF00001" && fetch?["status"] as? String == "queued")
        let refused = try await cli("sources create --partner acme --url ftp://example.com/p.csv", allowFailure: true)
        #expect(refused.contains("error:") && refused.contains("exit 1"), "\(refused)")

        // The credentials are sealed with the key: without it, a server refuses to start, naming it.
        let output = directory + "/serve.log"
        let child = try ChildProcess(
            try CatalogProcess.executable, ["serve", "--port", String(CatalogProcess.freePort())],
            environment: ProcessInfo.processInfo.environment.merging(
                ["CATALOG_DATA_DIR": directory, "CATALOG_DATABASE_URL": "", "CATALOG_SECRET_KEY": "", "CATALOG_LOG_LEVEL": "error"],
                uniquingKeysWith: { $1 }),
            outputPath: output)
        defer { child.stop() }
        let status = try await child.wait(timeout: 120)
        #expect(status != 0)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(text.contains("CATALOG_SECRET_KEY") && text.contains("1 source"), "\(text)")
        #expect(!text.contains("cli-token-123"))
    }
}
