import CatalogCore
import CatalogTestSupport
import Foundation
import NIOCore
import Synchronization
import Testing

/// An object store whose reads fail a number of times first, as a flaky network would.
final class FlakyReads: ObjectStore {
    let base: any ObjectStore
    private let failuresLeft: Mutex<Int>
    var bucket: String { base.bucket }

    init(base: any ObjectStore, failures: Int) {
        self.base = base
        self.failuresLeft = Mutex(failures)
    }

    func makeWriter(key: String, contentType: String) async throws -> any ObjectWriter {
        try await base.makeWriter(key: key, contentType: contentType)
    }

    func read(key: String) async throws -> ObjectReadStream {
        let fail = failuresLeft.withLock { left -> Bool in
            defer { left -= 1 }
            return left > 0
        }
        if fail { throw ObjectStoreError.unavailable("connection reset") }
        return try await base.read(key: key)
    }

    func metadata(key: String) async throws -> ObjectMetadata? { try await base.metadata(key: key) }
    func discard(key: String) async { await base.discard(key: key) }
    func ping() async throws { try await base.ping() }
}

@Suite struct JobWorkerTests {
    let admin = Principal(keyID: "test", role: .admin, partner: nil)

    func upload(_ app: TestApp, partner: String, bytes: [UInt8] = ETLTests.clean) async throws -> Feed {
        try await app.catalog.uploads.upload(
            UploadRequest(partnerName: partner, fileName: "f.csv"), by: admin, body: Bytes.chunks(bytes)).feed
    }

    @Test(arguments: StoreKind.allCases)
    func abandonedLeaseIsReclaimedAndCountsMatchACleanRun(_ store: StoreKind) async throws {
        let clock = TestClock()
        let app = try await TestApp.make(store, clock: clock)
        let feed = try await upload(app, partner: "acme")
        _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin)

        // A worker claims the job, stages part of it, then dies: it never heartbeats or finishes.
        let dead = try #require(try await app.catalog.store.claimNextJob(owner: "dead", now: clock.now(), leaseFor: 30, autoRun: false))
        try await app.catalog.store.resetAttempt(jobID: dead.job.jobID)
        _ = try await app.catalog.store.stage(jobID: dead.job.jobID, partnerID: feed.partnerID, [
            StagedProduct(line: 2, record: ProductRecord(sku: "TENT-2P", productName: "half-written", price: .init(units: 1), availability: .inStock)),
        ])

        let survivor = app.worker("survivor")
        #expect(try await survivor.runOnce() == false, "the lease is still live")
        clock.advance(by: 31)
        #expect(try await survivor.runOnce() == true)

        let job = try #require(try await app.catalog.store.job(id: feed.validationJobID))
        #expect(job.status == .completed)
        #expect(job.attempts == 2)
        #expect(job.summary?.inserted == 13 && job.summary?.skipped == 0 && job.summary?.rowsTotal == 13)
        #expect(try await app.products()["TENT-2P"]?.price == 2_490_000)
        #expect(try await app.catalog.store.finish(jobID: job.jobID, owner: "dead", outcome: .failed(.init(code: "X", message: "late")),
                                                   now: clock.now()) == false, "the dead worker's late report is ignored")
        #expect(try await app.catalog.store.job(id: job.jobID)?.status == .completed)
    }

    @Test(arguments: StoreKind.allCases)
    func transientFailuresAreRetriedThenSucceed(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store) { FlakyReads(base: $0, failures: 2) }
        let feed = try await upload(app, partner: "acme")
        _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin)
        let worker = app.worker()
        for _ in 0..<3 { try await worker.runOnce() }
        let job = try #require(try await app.catalog.store.job(id: feed.validationJobID))
        #expect(job.status == .completed)
        #expect(job.attempts == 3)
        #expect(job.error == nil)
        #expect(job.summary?.inserted == 13)
    }

    @Test(arguments: StoreKind.allCases)
    func transientFailuresFailTheJobAfterThreeAttempts(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store) { FlakyReads(base: $0, failures: 100) }
        let feed = try await upload(app, partner: "acme")
        _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin)
        let worker = app.worker()
        for attempt in 1...3 {
            #expect(try await worker.runOnce(), "attempt \(attempt)")
            let job = try #require(try await app.catalog.store.job(id: feed.validationJobID))
            #expect(job.attempts == attempt)
            #expect(job.error?.code == "STORAGE_UNAVAILABLE")
            #expect(job.status == (attempt < 3 ? .queued : .failed))
        }
        #expect(try await worker.runOnce() == false)
        #expect(try await app.catalog.store.feed(id: feed.feedID)?.status == .failed)
    }

    @Test(arguments: StoreKind.allCases)
    func retriesWaitForTheirBackoff(_ store: StoreKind) async throws {
        let clock = TestClock()
        let app = try await TestApp.make(store, clock: clock) { FlakyReads(base: $0, failures: 1) }
        let feed = try await upload(app, partner: "acme")
        _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin)
        let worker = app.worker { $0.retryBaseDelay = 10 }
        #expect(try await worker.runOnce())
        #expect(try await worker.runOnce() == false, "retried before its backoff")
        clock.advance(by: 10)
        #expect(try await worker.runOnce())
        #expect(try await app.catalog.store.job(id: feed.validationJobID)?.status == .completed)
    }

    @Test(arguments: StoreKind.allCases)
    func onlyQueuedJobsThatWereRequestedRunUnlessAutoRun(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let feed = try await upload(app, partner: "acme")
        #expect(try await app.worker().runOnce() == false)
        #expect(try await app.worker { $0.autoRun = true }.runOnce())
        #expect(try await app.catalog.store.job(id: feed.validationJobID)?.status == .completed)
    }

    @Test(arguments: StoreKind.allCases)
    func onePartnerRunsOneJobAtATime(_ store: StoreKind) async throws {
        let clock = TestClock()
        let app = try await TestApp.make(store, clock: clock)
        let a1 = try await upload(app, partner: "acme")
        let a2 = try await upload(app, partner: "acme")
        let b1 = try await upload(app, partner: "rival")
        for feed in [a1, a2, b1] { _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin) }
        let store = app.catalog.store
        let first = try await store.claimNextJob(owner: "w1", now: clock.now(), leaseFor: 30, autoRun: false)
        let second = try await store.claimNextJob(owner: "w2", now: clock.now(), leaseFor: 30, autoRun: false)
        let third = try await store.claimNextJob(owner: "w3", now: clock.now(), leaseFor: 30, autoRun: false)
        #expect(first?.job.jobID == a1.validationJobID)
        #expect(second?.job.jobID == b1.validationJobID)
        #expect(third == nil)
        _ = try await store.finish(jobID: a1.validationJobID, owner: "w1", outcome: .failed(.init(code: "X", message: "x")), now: clock.now())
        let fourth = try await store.claimNextJob(owner: "w4", now: clock.now(), leaseFor: 30, autoRun: false)
        #expect(fourth?.job.jobID == a2.validationJobID)
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentWorkersRunEachJobExactlyOnce(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        var feeds: [Feed] = []
        for index in 0..<12 {
            let feed = try await upload(app, partner: "p\(index % 4)x", bytes: Bytes.productsCSV(rows: 50, seed: index))
            _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin)
            feeds.append(feed)
        }
        let workers = (0..<3).map { app.worker("w\($0)") }
        let tasks = workers.map { worker in Task { await worker.run() } }
        for feed in feeds {
            let job = try await app.catalog.runs.waitForFinish(feed.validationJobID, timeout: 30)
            #expect(job.status == .completed)
            #expect(job.attempts == 1)
            #expect(job.summary?.inserted == 50)
        }
        tasks.forEach { $0.cancel() }
        #expect(try await app.products().count == 600)
    }
}

@Suite struct WorkerShutdownTests {
    /// An object store whose reads never end, to hold a job mid-run.
    final class EndlessReads: ObjectStore {
        let base: any ObjectStore
        init(base: any ObjectStore) { self.base = base }
        var bucket: String { base.bucket }
        func makeWriter(key: String, contentType: String) async throws -> any ObjectWriter { try await base.makeWriter(key: key, contentType: contentType) }
        func read(key: String) async throws -> ObjectReadStream {
            ObjectReadStream {
                try await Task.sleep(for: .milliseconds(10))
                return ByteBuffer(string: "sku,product_name,price\n")
            }
        }
        func metadata(key: String) async throws -> ObjectMetadata? { try await base.metadata(key: key) }
        func discard(key: String) async { await base.discard(key: key) }
        func ping() async throws { try await base.ping() }
    }

    @Test(arguments: StoreKind.allCases)
    func cancelledWorkerHandsItsJobBack(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store) { EndlessReads(base: $0) }
        let admin = Principal(keyID: "test", role: .admin, partner: nil)
        let feed = try await app.catalog.uploads.upload(
            UploadRequest(partnerName: "acme"), by: admin, body: Bytes.chunks(Array("sku,product_name,price\n".utf8))).feed
        _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin)
        let worker = app.worker()
        let running = Task { await worker.run() }
        var job = try await app.catalog.store.job(id: feed.validationJobID)
        while job?.status != .running {
            try await Task.sleep(for: .milliseconds(10))
            job = try await app.catalog.store.job(id: feed.validationJobID)
        }
        running.cancel()
        await running.value
        job = try await app.catalog.store.job(id: feed.validationJobID)
        #expect(job?.status == .queued)
        #expect(job?.error?.code == "WORKER_STOPPED")
    }
}
