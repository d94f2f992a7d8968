import Foundation
import Synchronization

/// How an attempt that ran to its end went.
public enum TaskRunResult: Sendable, Equatable {
    /// Done: the worker records the task completed.
    case completed
    /// Done, and the handler recorded the end itself in the transaction of its work (the ETL's merge
    /// completes its job and task together), or found that there was nothing to record.
    case recorded
}

/// How an attempt ended that the handler did not record itself.
public enum TaskEnd: Sendable, Equatable {
    case completed
    case retry(TaskFailure, at: Date)
    case failed(TaskFailure)
    /// The worker is shutting down: the task is handed back, claimable again at once.
    case handedBack
    /// Claimed more often than its policy allows attempts: its workers kept dying or losing the lease.
    case abandoned

    /// As the queue records it.
    public func outcome(now: Date) -> TaskOutcome {
        switch self {
        case .completed: .completed
        case .retry(let failure, let at): .retry(at: at, error: failure.failure.message)
        case .failed(let failure): .failed(error: failure.failure.message)
        case .handedBack: .retry(at: now, error: TaskEnd.handedBackMessage)
        case .abandoned: .failed(error: TaskEnd.abandonedMessage)
        }
    }

    static let handedBackMessage = "The worker stopped during the task; it is queued again."
    static let abandonedMessage = "The workers running this task stopped answering too many times."
}

/// Counts what a running attempt has done so far (rows read), for its heartbeats.
public final class TaskProgress: Sendable {
    private let count = Atomic<Int64>(0)
    public init() {}
    public var value: Int64 { count.load(ordering: .relaxed) }
    public func add(_ amount: Int64) { count.add(amount, ordering: .relaxed) }
}

/// Runs the tasks of one kind.
public protocol TaskHandler: Sendable {
    var kind: TaskKind { get }
    var retry: RetryPolicy { get }

    /// Runs one attempt; throws to fail it (`failure(for:)` says whether that is worth a retry).
    func run(_ task: ClaimedTask, progress: TaskProgress) async throws -> TaskRunResult

    /// Records how an attempt ended; false when the lease was no longer held.
    func record(_ task: ClaimedTask, _ end: TaskEnd, now: Date) async throws -> Bool

    /// Called after each heartbeat that kept the lease, with the attempt's progress.
    func heartbeat(_ task: ClaimedTask, progress: Int64) async throws

    func failure(for error: any Error) -> TaskFailure
}

extension TaskHandler {
    public func heartbeat(_ task: ClaimedTask, progress: Int64) async throws {}
    public func failure(for error: any Error) -> TaskFailure { TaskFailure.from(error) }
}
