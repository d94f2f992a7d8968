import struct Foundation.Date

/// What a background task does; each kind has one handler (`TaskHandler`).
public struct TaskKind: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    /// A validation job: the ETL of one feed.
    public static let validateFeed: TaskKind = "feed.validate"
}

/// A task to add to the queue.
public struct NewTask: Sendable, Equatable {
    public var kind: TaskKind
    /// JSON the handler reads.
    public var payload: String
    /// Not claimed before this time.
    public var runAt: Date
    /// At most one task ever carries a given key: adding a second one adds nothing.
    public var uniqueKey: String?
    /// Tasks sharing this key never run at the same time (a partner's validation jobs).
    public var serialKey: String?

    public init(kind: TaskKind, payload: String, runAt: Date, uniqueKey: String? = nil, serialKey: String? = nil) {
        self.kind = kind
        self.payload = payload
        self.runAt = runAt
        self.uniqueKey = uniqueKey
        self.serialKey = serialKey
    }
}

/// The right to work on a claimed task, until the lease runs out unrenewed.
public struct TaskLease: Sendable, Hashable {
    public var taskID: Int64
    public var owner: String

    public init(taskID: Int64, owner: String) {
        self.taskID = taskID
        self.owner = owner
    }
}

/// A task a worker holds under a lease.
public struct ClaimedTask: Sendable, Equatable {
    public var lease: TaskLease
    public var kind: TaskKind
    public var payload: String
    /// This attempt's number, from 1; a lease that ran out counts as an attempt.
    public var attempt: Int
    /// The error the previous attempt ended with, if it ended with one.
    public var lastError: String?
    public var createdAt: Date

    public init(lease: TaskLease, kind: TaskKind, payload: String, attempt: Int, lastError: String?, createdAt: Date) {
        self.lease = lease
        self.kind = kind
        self.payload = payload
        self.attempt = attempt
        self.lastError = lastError
        self.createdAt = createdAt
    }
}

/// How an attempt ends, as the queue records it.
public enum TaskOutcome: Sendable, Equatable {
    case completed
    /// Claimable again from `at`; the error is kept meanwhile.
    case retry(at: Date, error: String)
    case failed(error: String)
}
