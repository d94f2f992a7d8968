import Foundation
import Logging

/// Runs the `source.fetch` tasks: one fetch each, asked for or scheduled. A scheduled task whose source
/// was since paused, deleted or rescheduled ends without a fetch; a fetch's end queues the next
/// scheduled one, and 5 scheduled failures in a row pause the source (§Sources).
public struct SourceFetchHandler: TaskHandler {
    public static let failuresBeforePause = 5

    let store: any SourceRepository & TaskQueue
    let fetcher: SourceFetcher
    let clock: any CatalogClock
    /// Wakes this process's workers for the validation job a fetched feed queues.
    let events: JobEvents?
    let logger: Logger
    /// Whole fetches are not repeated by the queue: a fetch retries its own requests. A worker that dies
    /// mid-fetch loses its lease, and the fetch starts again on another one, at most twice more.
    public let retry = RetryPolicy.exponential(base: 30, maxAttempts: 3)
    public var kind: TaskKind { .fetchSource }

    public init(store: any SourceRepository & TaskQueue, fetcher: SourceFetcher, clock: any CatalogClock, events: JobEvents? = nil, logger: Logger) {
        self.events = events
        self.store = store
        self.fetcher = fetcher
        self.clock = clock
        self.logger = logger
    }

    public func run(_ task: ClaimedTask, progress: TaskProgress) async throws -> TaskRunResult {
        let start = try SourceTasks.start(of: task)
        if case .scheduled(let sourceID, let due) = start {
            guard let source = try await store.source(id: sourceID), source.status == .active,
                  let next = source.nextFetchAt, abs(next.timeIntervalSince(due)) < 1
            else { return .completed }
        }
        guard let fetch = try await store.startFetch(start, at: clock.now()) else { return .completed }
        guard let context = try await store.fetchContext(sourceID: fetch.sourceID) else {
            // Deleted after the fetch was asked for: it ends, so that it does not show as running.
            let result = FetchResult(status: .failed, httpStatus: nil, pages: 0, bytes: 0, error: "The source was deleted before the fetch ran.")
            let nothing = SourceAfterFetch(failuresInARow: 0, pause: false, nextFetchAt: nil, nextTask: nil, events: [])
            _ = try await store.finishFetch(fetch.fetchID, lease: task.lease, result, nothing, now: clock.now())
            return .recorded
        }
        var logger = self.logger
        logger[metadataKey: "source_id"] = .string(fetch.sourceID)
        logger[metadataKey: "fetch_id"] = .string(fetch.fetchID)
        let result = await fetcher.fetch(context, progress: progress)
        let after = Self.after(result, of: fetch, source: context.source, now: clock.now())
        guard try await store.finishFetch(fetch.fetchID, lease: task.lease, result, after, now: clock.now()) else {
            logger.warning("fetch lease lost before its end was recorded")
            return .recorded
        }
        if result.feedID != nil { events?.queued.fire() }
        switch result.status {
        case .failed: logger.warning("source fetch failed", metadata: ["error": .string(result.error ?? "")])
        default:
            logger.info("source fetched", metadata: [
                "status": .string(result.status.rawValue), "pages": .stringConvertible(result.pages),
                "bytes": .stringConvertible(result.bytes), "feed_id": .string(result.feedID ?? "-"),
            ])
        }
        if after.pause { logger.warning("source paused after \(Self.failuresBeforePause) failed scheduled fetches in a row") }
        return .recorded
    }

    /// The source's state after the fetch: the failure count, the pause, the next scheduled fetch.
    static func after(_ result: FetchResult, of fetch: SourceFetch, source: Source, now: Date) -> SourceAfterFetch {
        var failures = source.failuresInARow
        var events: [EventType] = []
        switch result.status {
        case .failed:
            events.append(.sourceFailed)
            if fetch.trigger == .schedule { failures += 1 }
        default:
            events.append(.sourceFetched)
            failures = 0
        }
        let pause = source.status == .active && failures >= failuresBeforePause
        if pause { events.append(.sourcePaused) }
        guard fetch.trigger == .schedule else {
            return SourceAfterFetch(failuresInARow: failures, pause: pause, nextFetchAt: pause ? nil : source.nextFetchAt, nextTask: nil, events: events)
        }
        guard !pause, source.status == .active, let schedule = source.settings.schedule else {
            return SourceAfterFetch(failuresInARow: failures, pause: pause, nextFetchAt: nil, nextTask: nil, events: events)
        }
        // From the due time, so that a slow fetch does not drift the schedule; never in the past.
        var next = schedule.next(after: source.nextFetchAt ?? now)
        if next <= now { next = schedule.next(after: now) }
        return SourceAfterFetch(
            failuresInARow: failures, pause: false, nextFetchAt: next,
            nextTask: SourceTasks.scheduled(sourceID: source.sourceID, url: source.settings.url, due: next), events: events)
    }

    /// Only what `run` did not record itself: a worker stopping, or leases lost too often.
    public func record(_ task: ClaimedTask, _ end: TaskEnd, now: Date) async throws -> Bool {
        let message: String
        switch end {
        case .completed, .handedBack, .retry: return try await store.finish(task.lease, end.outcome(now: now), now: now)
        case .failed(let failure): message = failure.failure.message
        case .abandoned: message = "The workers running this fetch stopped answering too many times."
        }
        guard let fetch = try await store.startFetch(try SourceTasks.start(of: task), at: now),
              let source = try await store.source(id: fetch.sourceID)
        else { return try await store.finish(task.lease, end.outcome(now: now), now: now) }
        let result = FetchResult(status: .failed, httpStatus: nil, pages: 0, bytes: 0, error: message)
        return try await store.finishFetch(fetch.fetchID, lease: task.lease, result, Self.after(result, of: fetch, source: source, now: now), now: now)
    }
}
