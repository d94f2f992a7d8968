import CatalogCore
import CatalogFileStore
import CatalogPostgres
import CatalogTestSupport
import Foundation
import Testing

/// §Sources scheduling across processes: two `serve` processes around one PostgreSQL database fetch a
/// scheduled source once per due time, not once each.
@Suite(.serialized) struct SourceScheduleProcessTests {
    static let simulator = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/vendor_sim.py").path

    @Test func twoProcessesFetchAScheduledSourceOnce() async throws {
        let directory = TemporaryDirectory()
        let portFile = directory.path + "/vendor.port"
        let vendor = try ChildProcess(
            "/usr/bin/env", ["python3", Self.simulator, "--port-file", portFile], environment: ProcessInfo.processInfo.environment,
            outputPath: directory.path + "/vendor.log")
        defer { vendor.stop(grace: 1) }
        var port = ""
        for _ in 0..<250 where port.isEmpty {
            port = ((try? String(contentsOfFile: portFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if port.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(!port.isEmpty, "the vendor simulator did not start")

        let (store, url) = try await TestPostgres.freshStore()
        let catalog = Catalog(store: store, objects: try FileObjectStore(root: directory.path + "/objects"), maxUploadBytes: 1 << 30,
                              targets: ResolvingTargetPolicy(allowPrivateTargets: true))
        let admin = Principal(keyID: "test", role: .admin, partner: nil)
        let environment = [
            "CATALOG_DATABASE_URL": url, "CATALOG_DATA_DIR": directory.path, "CATALOG_LOG_LEVEL": "info",
            "CATALOG_ALLOW_PRIVATE_TARGETS": "true", "CATALOG_SECRET_KEY": "",
        ]
        let workers = try (0..<2).map { index in
            try CatalogProcess(
                ["serve", "--port", String(CatalogProcess.freePort()), "--workers", "1"], environment: environment,
                log: directory.path + "/serve\(index).log")
        }
        defer { workers.forEach { $0.stop() } }
        // The shortest schedule: its first fetch is due a minute after the source is saved.
        let source = try await catalog.sources.create([
            "partner_name": .string("acme"), "url": .string("http://127.0.0.1:\(port)/csv/products.csv"),
            "schedule": .object(["every": .string("1m")]),
        ], by: admin)
        let due = try #require(source.nextFetchAt)

        var fetches: [SourceFetch] = []
        let deadline = due.addingTimeInterval(60)
        while Date() < deadline {
            fetches = try await store.fetches(sourceID: source.sourceID, PageRequest(limit: 10, after: nil)).items
            if fetches.contains(where: { $0.status.isFinished }) { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        // A little longer, for a second fetch of the same due time to show up if either process made one.
        try await Task.sleep(for: .seconds(2))
        fetches = try await store.fetches(sourceID: source.sourceID, PageRequest(limit: 10, after: nil)).items
        let logs = workers.map(\.log).joined(separator: "\n")
        #expect(fetches.count == 1 && fetches.first?.trigger == .schedule && fetches.first?.status == .fetched, "\(fetches)\n\(logs)")
        let fetched = workers.map { $0.log.components(separatedBy: "\"message\":\"source fetched\"").count - 1 }
        #expect(fetched.reduce(0, +) == 1, "one process fetched it: \(fetched)")
        let next = try #require(try await store.source(id: source.sourceID)?.nextFetchAt)
        #expect(abs(next.timeIntervalSince(due) - 60) < 1, "the next fetch is one interval after the due time")
    }
}
