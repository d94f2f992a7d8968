import CatalogCore
import CatalogFileStore
import CatalogPostgres
import CatalogTestSupport
import Foundation
import NIOCore
import Testing

/// Webhook deliveries by `worker` processes around one PostgreSQL database (§Webhooks: at least once,
/// and once per webhook and event however many processes deliver).
@Suite(.serialized) struct WebhookProcessTests {
    static let receiverScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Support/webhook_receiver.py").path

    struct Setup {
        let directory: TemporaryDirectory
        let catalog: Catalog
        let url: String
        let log: String
        let receiver: ChildProcess
        let environment: [String: String]

        var received: [[String: Any]] {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
        }
    }

    static func setup(answers: [Int] = []) async throws -> Setup {
        let directory = TemporaryDirectory()
        let (store, url) = try await TestPostgres.freshStore()
        let catalog = Catalog(store: store, objects: try FileObjectStore(root: directory.path + "/objects"), maxUploadBytes: 1 << 30,
                              targets: ResolvingTargetPolicy(allowPrivateTargets: true))
        let port = CatalogProcess.freePort()
        let log = directory.path + "/received.jsonl"
        let receiver = try ChildProcess("/usr/bin/env", ["python3", receiverScript, String(port), log] + answers.map(String.init),
                                        environment: ProcessInfo.processInfo.environment, outputPath: directory.path + "/receiver.log")
        try await Task.sleep(for: .milliseconds(500))
        let admin = Principal(keyID: "test", role: .admin, partner: nil)
        _ = try await catalog.partners.create(name: "acme", displayName: nil, by: admin)
        _ = try await catalog.webhooks.create(.init(url: "http://127.0.0.1:\(port)/hook", events: ["*"], description: nil, partnerName: nil),
                                              by: admin)
        let environment = ["CATALOG_DATABASE_URL": url, "CATALOG_DATA_DIR": directory.path, "CATALOG_LOG_LEVEL": "info",
                           "CATALOG_ALLOW_PRIVATE_TARGETS": "true"]
        return Setup(directory: directory, catalog: catalog, url: url, log: log, receiver: receiver, environment: environment)
    }

    static func orders(_ catalog: Catalog, count: Int) async throws {
        let admin = Principal(keyID: "test", role: .admin, partner: nil)
        for index in 0..<count {
            _ = try await catalog.orders.create(OrderRequest(
                partnerName: "acme", orderID: "O-\(index)", orderedAt: "2026-11-20T10:00:00Z", currency: "USD",
                items: [.init(sku: "S-1", quantity: "1", unitPrice: "1.00")]), by: admin)
        }
    }

    @Test func twoProcessesDeliverTwoHundredEventsOnceEach() async throws {
        let setup = try await Self.setup()
        defer { setup.receiver.stop() }
        try await Self.orders(setup.catalog, count: 200)
        let workers = try (0..<2).map { index in
            try CatalogProcess(["worker"], environment: setup.environment, log: setup.directory.path + "/worker\(index).log")
        }
        defer { workers.forEach { $0.stop() } }
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline, setup.received.count < 200 { try await Task.sleep(for: .milliseconds(200)) }
        try await Task.sleep(for: .seconds(1))  // time for any delivery that would come twice
        let ids = setup.received.compactMap { $0["id"] as? String }
        #expect(ids.count == 200, "received \(ids.count)")
        #expect(Set(ids).count == 200, "a delivery came twice")
        // Both processes delivered (each claims from the same queue).
        for worker in workers { #expect(worker.log.contains("webhook delivered"), "\(worker.log.suffix(2000))") }
    }

    /// One queue for every kind (issue 20): three `worker` processes share 150 validation jobs and the
    /// webhook deliveries of every event (the jobs' and 150 orders'), over 300 tasks of two kinds; each
    /// task is claimed once (one attempt), each job runs once and each event arrives once.
    @Test func threeProcessesRunTasksOfTwoKindsOnceEach() async throws {
        let setup = try await Self.setup()
        defer { setup.receiver.stop() }
        let admin = Principal(keyID: "test", role: .admin, partner: nil)
        var jobIDs: [String] = []
        for index in 0..<150 {
            let csv = "sku,product_name,price\nS-\(index),Item \(index),1.00\n"
            let request = UploadRequest(partnerName: "p\(index % 10)x", feedType: "products", mode: "delta", fileName: "f\(index).csv")
            let (body, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
            continuation.yield(ByteBuffer(string: csv))
            continuation.finish()
            let feed = try await setup.catalog.uploads.upload(request, by: admin, body: body).feed
            _ = try await setup.catalog.runs.requestRun(feed.validationJobID, by: admin)
            jobIDs.append(feed.validationJobID)
        }
        try await Self.orders(setup.catalog, count: 150)
        let workers = try (0..<3).map { index in
            try CatalogProcess(["worker", "--workers", "2"], environment: setup.environment, log: setup.directory.path + "/worker\(index).log")
        }
        defer { workers.forEach { $0.stop() } }
        func count(_ sql: String) async throws -> Int { Int(try await TestPostgres.rows(sql, url: setup.url).first?["n"].flatMap { $0 } ?? "") ?? -1 }
        let deadline = Date().addingTimeInterval(120)
        var pending = -1
        while Date() < deadline {
            pending = try await count("SELECT count(*) AS n FROM tasks WHERE state <> 'completed' AND kind <> 'maintenance.prune'")
            if pending == 0, setup.received.count == (try await count("SELECT count(*) AS n FROM events")) { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        try await Task.sleep(for: .seconds(1))  // time for any task that would run twice
        let logs = workers.map { $0.log.suffix(1500) }.joined(separator: "\n")
        #expect(pending == 0, "\(logs)")
        let kinds = try await TestPostgres.rows(
            "SELECT kind, count(*) AS n, max(attempts) AS most FROM tasks WHERE kind <> 'maintenance.prune' GROUP BY kind ORDER BY kind",
            url: setup.url)
        #expect(kinds.count == 2 && kinds.allSatisfy { $0["most"] == "1" }, "\(kinds)")
        let total = kinds.compactMap { Int(($0["n"] ?? "") ?? "") }.reduce(0, +)
        #expect(total >= 300, "\(kinds)")
        let events = try await count("SELECT count(*) AS n FROM events")
        let ids = setup.received.compactMap { $0["id"] as? String }
        #expect(events >= 300 && ids.count == events && Set(ids).count == events, "events \(events), received \(ids.count)")
        let jobs = try await jobIDs.asyncMap { try await setup.catalog.store.job(id: $0) }
        #expect(jobs.allSatisfy { $0?.status == .completed && $0?.attempts == 1 })
        // All three processes took part.
        for worker in workers { #expect(worker.log.contains("job completed") || worker.log.contains("webhook delivered")) }
    }

    /// The receiver fails the first try; the delivering process is killed while the retry waits; the
    /// process started after it delivers the event, with the same webhook-id.
    @Test func aKilledDelivererIsTakenOverAndTheEventDelivered() async throws {
        let setup = try await Self.setup(answers: [500])
        defer { setup.receiver.stop() }
        try await Self.orders(setup.catalog, count: 1)
        let first = try CatalogProcess(["worker"], environment: setup.environment, log: setup.directory.path + "/first.log")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, setup.received.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        #expect(setup.received.first?["status"] as? Int == 500)
        first.child.signal(SIGKILL)
        _ = try await first.child.wait(timeout: 10)
        let second = try CatalogProcess(["worker"], environment: setup.environment, log: setup.directory.path + "/second.log")
        defer { second.stop() }
        while Date() < deadline.addingTimeInterval(30), setup.received.count < 2 { try await Task.sleep(for: .milliseconds(100)) }
        let received = setup.received
        #expect(received.count == 2 && received.last?["status"] as? Int == 200, "\(received)\n\(second.log.suffix(2000))")
        #expect(received.first?["id"] as? String == received.last?["id"] as? String)
        let gap = ((received.last?["at"] as? Double) ?? 0) - ((received.first?["at"] as? Double) ?? 0)
        #expect(gap >= 4, "the retry kept its schedule (5 s ±10 %): \(gap) s")
    }
}
