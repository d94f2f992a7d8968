import CatalogCore
import CatalogTestSupport
import Foundation
import HummingbirdTesting
import Testing

@Suite struct ETLEdgeCaseTests {
    func summary(_ job: [String: Any]) -> [String: Int] { (job["summary"] as? [String: Int]) ?? [:] }

    @Test(arguments: StoreKind.allCases)
    func headerOnlyFeedCompletesWithNothing(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        try await app.testWithWorker { client in
            _ = try await client.uploadRaw(Array("sku,product_name,price\n".utf8), key: app.adminKey, query: "partner_name=acme")
            let job = try await client.run("JV00001", key: app.adminKey)
            #expect(job["status"] as? String == "completed")
            #expect(summary(job) == ["rows_total": 0, "inserted": 0, "updated": 0, "unchanged": 0, "skipped": 0, "deactivated": 0])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func tenThousandColumnsBecomeAttributes(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let extra = (0..<9_997).map { "c\($0)" }
        let header = (["sku", "product_name", "price"] + extra).joined(separator: ",")
        let row = (["WIDE-1", "Wide", "1.00"] + extra.map { "v\($0)" }).joined(separator: ",")
        try await app.testWithWorker { client in
            let upload = try await client.uploadRaw(Array("\(header)\n\(row)\n".utf8), key: app.adminKey, query: "partner_name=acme")
            #expect(upload.status == .created)
            let job = try await client.run("JV00001", key: app.adminKey)
            #expect(summary(job)["inserted"] == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func oneMegabyteDescriptionIsStored(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let description = String(repeating: "long text, \"quoted\" ", count: 52_429)
        let csv = "sku,product_name,price,description\nBIG-1,Big,1.00,\"\(description.replacingOccurrences(of: "\"", with: "\"\""))\"\n"
        try await app.testWithWorker { client in
            _ = try await client.uploadRaw(Array(csv.utf8), key: app.adminKey, query: "partner_name=acme")
            let job = try await client.run("JV00001", key: app.adminKey)
            #expect(summary(job)["inserted"] == 1)
            #expect(description.utf8.count > 1_000_000)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func autoRunNeedsNoRunRequest(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store, autoRun: true)
        let worker = app.worker()
        let running = Task { await worker.run() }
        defer { running.cancel() }
        try await app.test { client in
            _ = try await client.uploadRaw(ETLTests.clean, key: app.adminKey, query: "partner_name=acme")
            let job = try await app.catalog.runs.waitForFinish("JV00001", timeout: 30)
            #expect(job.status == .completed)
            #expect(job.summary?.inserted == 13)
        }
    }
}
