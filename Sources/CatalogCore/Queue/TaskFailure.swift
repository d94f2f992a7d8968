import struct Foundation.TimeInterval

/// Why a task's attempt stopped: transient failures are retried (`RetryPolicy`), permanent ones end
/// the task at once.
public struct TaskFailure: Error, Sendable, Equatable {
    public var failure: JobFailure
    public var isTransient: Bool
    /// How long the other side asked us to wait (`Retry-After`), when it did.
    public var retryAfter: TimeInterval?

    public init(failure: JobFailure, isTransient: Bool, retryAfter: TimeInterval? = nil) {
        self.failure = failure
        self.isTransient = isTransient
        self.retryAfter = retryAfter
    }

    public static func permanent(_ code: String, _ message: String) -> TaskFailure {
        TaskFailure(failure: JobFailure(code: code, message: message), isTransient: false)
    }

    public static func transient(_ code: String, _ message: String, retryAfter: TimeInterval? = nil) -> TaskFailure {
        TaskFailure(failure: JobFailure(code: code, message: message), isTransient: true, retryAfter: retryAfter)
    }

    /// Classifies whatever an adapter threw.
    public static func from(_ error: any Error) -> TaskFailure {
        switch error {
        case let error as TaskFailure:
            return error
        case ObjectStoreError.notFound(let key):
            return .permanent("RAW_OBJECT_MISSING", "The raw file \(key) is missing from the object store.")
        case let error as ObjectStoreError where error.catalogError.code == .storageUnavailable:
            return .transient("STORAGE_UNAVAILABLE", error.catalogError.message)
        case let error as CatalogError where error.code == .storageUnavailable:
            return .transient("STORAGE_UNAVAILABLE", error.message)
        case let error as CatalogError:
            return .permanent(error.code.rawValue, error.message)
        default:
            return .transient("INTERNAL", "The task failed unexpectedly.")
        }
    }
}

/// Thrown by a store when the work of an attempt would commit after its lease was lost: the
/// transaction is rolled back, and the worker that holds the task now does the work.
public struct TaskLeaseLost: Error, Sendable, Equatable {
    public let lease: TaskLease
    public init(_ lease: TaskLease) { self.lease = lease }
}
