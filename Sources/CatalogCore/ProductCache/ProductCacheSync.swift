import Foundation
import Logging

/// Keeps a node's product cache current: built from the primary store at start (streamed in batches),
/// then, whenever a job completes anywhere (`JobEvents.finished`, fed by LISTEN/NOTIFY) and at least
/// every `catchUpInterval` (for notifications missed during an outage), it re-reads the products of
/// the feeds whose jobs completed since the last check.
public actor ProductCacheSync {
    let source: any ProductChangeSource
    let cache: any ProductCacheStore
    let events: JobEvents
    let clock: any CatalogClock
    let catchUpInterval: TimeInterval
    let logger: Logger

    /// How far back each check looks, beyond the previous one: covers jobs whose finish committed late
    /// and clocks of other nodes that run behind. Jobs seen already are skipped by `applied`.
    public static let lookBack: TimeInterval = 600
    static let batchSize = 10_000

    /// Job → the finish applied, so that a job run again is applied again.
    private var applied: [String: Date] = [:]
    private var checkedAt: Date?

    public init(
        source: any ProductChangeSource, cache: any ProductCacheStore, events: JobEvents, clock: any CatalogClock = SystemClock(),
        catchUpInterval: TimeInterval = 5, logger: Logger = Logger(label: "partner-catalog.product-cache")
    ) {
        self.source = source
        self.cache = cache
        self.events = events
        self.clock = clock
        self.catchUpInterval = catchUpInterval
        self.logger = logger
    }

    /// Copies every active product (reading the next batch while the last one is written), then catches
    /// up with the jobs that completed meanwhile.
    public func build() async throws {
        let started = clock.now()
        let source = self.source
        var batch = try await source.activeProducts(afterSeq: 0, limit: Self.batchSize)
        while let last = batch.last {
            async let next = source.activeProducts(afterSeq: last.seq, limit: Self.batchSize)
            try await cache.apply(batch)
            batch = try await next
        }
        try await cache.copyFinished()
        checkedAt = started
        try await catchUp()
    }

    /// Applies the feeds of the jobs completed since the last check; returns how many jobs it applied.
    @discardableResult
    public func catchUp() async throws -> Int {
        let now = clock.now()
        let since = (checkedAt ?? now).addingTimeInterval(-Self.lookBack)
        var count = 0
        for job in try await source.completedJobs(since: since).sorted(by: { $0.finishedAt < $1.finishedAt })
        where applied[job.jobID] != job.finishedAt {
            var after: Int64 = 0
            while true {
                let batch = try await source.products(lastChangedBy: job.feedID, afterSeq: after, limit: Self.batchSize)
                guard let last = batch.last else { break }
                try await cache.apply(batch)
                after = last.seq
            }
            applied[job.jobID] = job.finishedAt
            count += 1
        }
        checkedAt = now
        applied = applied.filter { $0.value >= since }
        return count
    }

    /// Catches up on every finished job and every `catchUpInterval`, until cancelled.
    public func run() async {
        while !Task.isCancelled {
            let seen = events.finished.generation
            do {
                try await catchUp()
            } catch {
                logger.warning("product cache catch-up failed; retrying", metadata: ["error": .string("\(error)")])
            }
            await events.finished.wait(since: seen, timeout: catchUpInterval)
        }
    }
}
