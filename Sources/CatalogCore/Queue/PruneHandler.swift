import Foundation
import Logging

/// Periodic pruning as a task kind: each run deletes events older than 30 days and finished tasks
/// older than 7 days, then queues the next run an hour on. One task per hour (its unique key), so any
/// number of nodes prune once.
public struct PruneHandler: TaskHandler {
    public static let keepEvents: TimeInterval = 30 * 24 * 3600
    public static let keepFinishedTasks: TimeInterval = 7 * 24 * 3600
    public static let interval: TimeInterval = 3600

    let store: any TaskQueue & EventLog
    let clock: any CatalogClock
    let logger: Logger
    public let retry = RetryPolicy.exponential(base: 60, maxAttempts: 3)
    public var kind: TaskKind { .prune }

    public init(store: any TaskQueue & EventLog, clock: any CatalogClock, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// The run due at the next whole hour after `date`.
    public static func next(after date: Date) -> NewTask {
        let hour = (date.timeIntervalSince1970 / interval).rounded(.down) + 1
        let due = Date(timeIntervalSince1970: hour * interval)
        return NewTask(kind: .prune, payload: "{}", runAt: due, uniqueKey: "prune@\(Int64(hour))")
    }

    public func run(_ task: ClaimedTask, progress: TaskProgress) async throws -> TaskRunResult {
        let now = clock.now()
        let events = try await store.pruneEvents(before: now.addingTimeInterval(-Self.keepEvents))
        let tasks = try await store.pruneTasks(finishedBefore: now.addingTimeInterval(-Self.keepFinishedTasks))
        try await store.enqueue([Self.next(after: now)])
        logger.info("pruned", metadata: ["events": .stringConvertible(events), "tasks": .stringConvertible(tasks)])
        return .completed
    }

    public func record(_ task: ClaimedTask, _ end: TaskEnd, now: Date) async throws -> Bool {
        let recorded = try await store.finish(task.lease, end.outcome(now: now), now: now)
        if case .failed = end { try await store.enqueue([Self.next(after: now)]) }
        return recorded
    }
}
