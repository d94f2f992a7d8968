import struct Foundation.Date
import struct Foundation.TimeInterval

/// One database-backed queue for every kind of background work (as River or Oban keep one job
/// table): tasks are claimed under leases that heartbeats extend, so a task whose worker died is
/// claimed again once its lease runs out. Retry policy is the caller's (`RetryPolicy`), not the store's.
public protocol TaskQueue: Sendable {
    /// Adds the tasks; one whose `uniqueKey` another task already has is left out. Returns how many were added.
    @discardableResult
    func enqueue(_ tasks: [NewTask]) async throws -> Int

    /// Claims the runnable task of one of `kinds` that is due first: waiting with `runAt <= now`, or
    /// running under a lease that ran out; never one whose `serialKey` a live lease holds already.
    func claim(kinds: Set<TaskKind>, owner: String, now: Date, leaseFor: TimeInterval) async throws -> ClaimedTask?

    /// Extends the lease; false when it is no longer held (lost to another worker, or the task ended).
    func heartbeat(_ lease: TaskLease, now: Date, leaseFor: TimeInterval) async throws -> Bool

    /// Ends the attempt; ignored (false) when the lease is no longer held.
    func finish(_ lease: TaskLease, _ outcome: TaskOutcome, now: Date) async throws -> Bool

    /// Deletes tasks that completed or failed before `date`; returns how many.
    func pruneTasks(finishedBefore date: Date) async throws -> Int
}
