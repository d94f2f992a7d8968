import CatalogCore
import CatalogFileStore
import CatalogPostgres
import CatalogTestSupport
import Foundation
import NIOCore
import Testing

/// Scale-out: several `partner-catalog worker` processes around one PostgreSQL database.
@Suite(.serialized) struct WorkerProcessTests {
    let admin = Principal(keyID: "test", role: .admin, partner: nil)

    @Test func threeWorkerProcessesRunThirtyJobsExactlyOnce() async throws {
        let directory = TemporaryDirectory()
        let (store, url) = try await TestPostgres.freshStore()
        let objects = try FileObjectStore(root: directory.path + "/objects")
        let catalog = Catalog(store: store, objects: objects, maxUploadBytes: 1 << 30)

        var jobIDs: [String] = []
        for index in 0..<30 {
            let partner = "p\(index % 10)x"
            let csv = "sku,product_name,price\nS-\(index)-A,A,1.00\nS-\(index)-B,B,2.00\n"
            let request = UploadRequest(partnerName: partner, feedType: "products", mode: "delta", fileName: "f\(index).csv")
            let (body, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
            continuation.yield(ByteBuffer(string: csv))
            continuation.finish()
            let feed = try await catalog.uploads.upload(request, by: admin, body: body).feed
            _ = try await catalog.runs.requestRun(feed.validationJobID, by: admin)
            jobIDs.append(feed.validationJobID)
        }

        let environment = ["CATALOG_DATABASE_URL": url, "CATALOG_DATA_DIR": directory.path, "CATALOG_LOG_LEVEL": "info"]
        let workers = try (0..<3).map { index in
            try CatalogProcess(["worker", "--workers", "2"], environment: environment, log: directory.path + "/worker\(index).log")
        }
        defer { workers.forEach { $0.stop() } }

        let deadline = Date().addingTimeInterval(90)
        var finished: [Job] = []
        while Date() < deadline {
            finished = try await jobIDs.asyncMap { try await store.job(id: $0) }.compactMap { $0 }
                .filter { $0.status == .completed || $0.status == .failed }
            if finished.count == jobIDs.count { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(finished.count == 30, "logs:\n\(workers.map(\.log).joined(separator: "\n"))")
        #expect(finished.allSatisfy { $0.status == .completed && $0.attempts == 1 && $0.summary?.inserted == 2 })
        let products = try await TestPostgres.rows("SELECT count(*) AS n, count(DISTINCT sku) AS skus FROM products", url: url)
        #expect(products.first?["n"] == "60" && products.first?["skus"] == "60")
        // The processes' own logs (JSON lines) agree: 30 starts and 30 completions in all, none twice.
        let records = workers.flatMap { worker in
            worker.log.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            }
        }
        func jobs(_ message: String) -> [String] {
            records.filter { $0["message"] as? String == message }.compactMap { $0["job_id"] as? String }
        }
        #expect(jobs("job started").count == 30 && Set(jobs("job started")) == Set(jobIDs), "\(jobs("job started"))")
        #expect(jobs("job completed").count == 30 && Set(jobs("job completed")) == Set(jobIDs))
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
