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

    /// A clock that moves one second each time it is read.
    final class TickingClock: CatalogClock {
        private let base = TestClock()
        func now() -> Date {
            base.advance(by: 1)
            return base.now()
        }
    }

    /// `finished_at` is when the job ended, read after the merge's work, not when the merge began
    /// (the products' `updated_at`): a large merge takes seconds.
    @Test(arguments: StoreKind.allCases)
    func aJobFinishesAfterItsMerge(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store, clock: TickingClock())
        let feed = try await upload(app, partner: "acme")
        _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin)
        #expect(try await app.worker().runOnce())
        let job = try #require(try await app.catalog.store.job(id: feed.validationJobID))
        let finished = try #require(job.finishedAt)
        #expect(await app.follower.waitUntilItemsCaughtUp(timeout: 30), "the node's read model follows the job")
        let products = try await app.catalog.readModel.listProducts(ProductQuery(filter: ProductFilter(partnerName: "acme"), limit: 100)).items
        #expect(job.status == .completed && !products.isEmpty)
        let merged = try #require(products.map(\.updatedAt).max())
        #expect(finished > merged, "finished \(finished), products updated \(merged)")
        #expect(try #require(job.startedAt) < merged)
    }

    @Test(arguments: StoreKind.allCases)
    func abandonedLeaseIsReclaimedAndCountsMatchACleanRun(_ store: StoreKind) async throws {
        let clock = TestClock()
        let app = try await TestApp.make(store, clock: clock)
        let feed = try await upload(app, partner: "acme")
        _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin)

        // A worker claims the job, stages part of it, then dies: it never heartbeats or finishes.
        let queue = app.catalog.store
        let dead = try #require(try await queue.claim(kinds: [.validateFeed], owner: "dead", now: clock.now(), leaseFor: 30))
        #expect(try await queue.startAttempt(jobID: feed.validationJobID, lease: dead.lease, attempt: dead.attempt, now: clock.now()) != nil)
        try await queue.resetAttempt(jobID: feed.validationJobID)
        _ = try await queue.stage(jobID: feed.validationJobID, partnerID: feed.partnerID, [
            StagedProduct(line: 2, record: ProductRecord(sku: "TENT-2P", productName: "half-written", price: .init(units: 1), availability: .inStock)),
        ])
        #expect(try await queue.job(id: feed.validationJobID)?.status == .running)

        let survivor = app.worker("survivor")
        #expect(try await survivor.runOnce() == false, "the lease is still live")
        clock.advance(by: 31)
        #expect(try await survivor.runOnce() == true)

        let job = try #require(try await queue.job(id: feed.validationJobID))
        #expect(job.status == .completed)
        #expect(job.attempts == 2)
        #expect(job.summary?.inserted == 13 && job.summary?.skipped == 0 && job.summary?.rowsTotal == 13)
        #expect(try await app.products()["TENT-2P"]?.price == 2_490_000)
        let late = try await queue.finishAttempt(
            jobID: job.jobID, lease: dead.lease, .failed(.init(code: "X", message: "late")), now: clock.now())
        #expect(late == false, "the dead worker's late report is ignored")
        #expect(try await queue.job(id: job.jobID)?.status == .completed)
    }

    /// A worker whose lease was taken over commits nothing: its merge is rolled back.
    @Test(arguments: StoreKind.allCases)
    func aMergeAfterTheLeaseWasLostCommitsNothing(_ store: StoreKind) async throws {
        let clock = TestClock()
        let app = try await TestApp.make(store, clock: clock)
        let feed = try await upload(app, partner: "acme")
        _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin)
        let queue = app.catalog.store
        let slow = try #require(try await queue.claim(kinds: [.validateFeed], owner: "slow", now: clock.now(), leaseFor: 30))
        clock.advance(by: 31)
        let other = try #require(try await queue.claim(kinds: [.validateFeed], owner: "other", now: clock.now(), leaseFor: 30))
        #expect(other.attempt == 2)
        await #expect(throws: TaskLeaseLost.self) {
            _ = try await app.catalog.importer.run(feed, jobID: feed.validationJobID, progress: TaskProgress(), lease: slow.lease)
        }
        #expect(try await app.products().isEmpty)
        #expect(try await queue.job(id: feed.validationJobID)?.status != .completed)
        _ = try await app.catalog.importer.run(feed, jobID: feed.validationJobID, progress: TaskProgress(), lease: other.lease)
        #expect(try await app.products().count == 13)
        #expect(try await queue.job(id: feed.validationJobID)?.summary?.inserted == 13)
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
        let worker = app.worker(retryBaseDelay: 10)
        #expect(try await worker.runOnce())
        #expect(try await worker.runOnce() == false, "retried before its backoff")
        clock.advance(by: 10)
        #expect(try await worker.runOnce())
        #expect(try await app.catalog.store.job(id: feed.validationJobID)?.status == .completed)
    }

    @Test(arguments: StoreKind.allCases)
    func onlyJobsThatWereRequestedRunUnlessAutoRun(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let feed = try await upload(app, partner: "acme")
        #expect(try await app.worker().runOnce() == false)
        _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin)
        _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin)
        #expect(try await app.worker().runOnce())
        #expect(try await app.worker().runOnce() == false, "a second request of a queued job queued it twice")
        #expect(try await app.catalog.store.job(id: feed.validationJobID)?.status == .completed)

        let auto = try await TestApp.make(store, autoRun: true)
        let autoFeed = try await upload(auto, partner: "acme")
        #expect(try await auto.worker().runOnce())
        #expect(try await auto.catalog.store.job(id: autoFeed.validationJobID)?.status == .completed)
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
        func claim(_ owner: String) async throws -> ClaimedTask? {
            try await store.claim(kinds: [.validateFeed], owner: owner, now: clock.now(), leaseFor: 30)
        }
        let first = try await claim("w1")
        let second = try await claim("w2")
        let third = try await claim("w3")
        #expect(try first.map(FeedValidation.jobID(of:)) == a1.validationJobID)
        #expect(try second.map(FeedValidation.jobID(of:)) == b1.validationJobID)
        #expect(third == nil)
        _ = try await store.finishAttempt(
            jobID: a1.validationJobID, lease: try #require(first).lease, .failed(.init(code: "X", message: "x")), now: clock.now())
        let fourth = try await claim("w4")
        #expect(try fourth.map(FeedValidation.jobID(of:)) == a2.validationJobID)
    }

    /// Three claims of a job whose workers all died: the fourth claim fails it, without running it.
    @Test(arguments: StoreKind.allCases)
    func aJobWhoseWorkersKeepDyingFailsAfterThreeAttempts(_ store: StoreKind) async throws {
        let clock = TestClock()
        let app = try await TestApp.make(store, clock: clock)
        let feed = try await upload(app, partner: "acme")
        _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin)
        for attempt in 1...3 {
            let claimed = try await app.catalog.store.claim(kinds: [.validateFeed], owner: "dead\(attempt)", now: clock.now(), leaseFor: 30)
            #expect(claimed?.attempt == attempt)
            clock.advance(by: 31)
        }
        #expect(try await app.worker().runOnce())
        let job = try #require(try await app.catalog.store.job(id: feed.validationJobID))
        #expect(job.status == .failed && job.error?.code == "WORKER_LOST", "\(job)")
        #expect(try await app.products().isEmpty)
        #expect(try await app.worker().runOnce() == false)
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
