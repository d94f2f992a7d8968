@testable import CatalogCore
import CatalogTestSupport
import Dispatch
import NIOCore
import Testing

/// A task executor with one thread, as a request has when the machine's other threads are busy.
final class SerialTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let queue = DispatchQueue(label: "test.serial-executor")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

@Suite struct UploadInspectionTests {
    /// Inflating a gzip chunk (here 64 KB that become 64 MB) does not hold the thread of the task
    /// that received it: another task on the same single thread runs before the inflation ends.
    @Test func inflatingAGzipChunkLeavesTheCallersThreadToOthers() async throws {
        let bomb = Gzip.bomb(head: "sku,product_name,price\n", line: "A-1,Alpha,1.00\n", inflatedBytes: 64 << 20)
        let inspection = UploadInspection(FeedContentInspector(feedType: .products))
        let executor = SerialTaskExecutor()
        let (probeRan, inflated) = try await withTaskExecutorPreference(executor) {
            async let probe = ContinuousClock.now
            try await inspection.consume(ByteBuffer(bytes: bomb))
            let done = ContinuousClock.now
            return (try await probe, done)
        }
        #expect(probeRan < inflated, "the other task waited until the inflation was done")
        #expect(inspection.isGzip)
    }

    @Test func plainChunksAreCheckedWhereTheyArrive() async throws {
        let inspection = UploadInspection(FeedContentInspector(feedType: .products))
        try await inspection.consume(ByteBuffer(string: "sku,product_name,price\nA-1,Alpha,1.00\n"))
        #expect(try inspection.finish() == ["sku", "product_name", "price"])
        #expect(!inspection.isGzip)
    }
}
