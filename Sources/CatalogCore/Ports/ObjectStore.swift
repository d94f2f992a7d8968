import NIOCore

public enum ObjectStoreError: Error, Sendable, Equatable {
    /// The key exists already; objects are never overwritten.
    case alreadyExists(String)
    case notFound(String)
    /// The store could not be reached or failed; worth retrying later.
    case unavailable(String)

    /// As the API reports it.
    public var catalogError: CatalogError {
        switch self {
        case .unavailable(let reason): CatalogError.storageUnavailable("The object store is unavailable: \(reason)")
        case .alreadyExists(let key): CatalogError(.internal, "The object store already holds \(key).")
        case .notFound(let key): CatalogError.notFound("Object", key)
        }
    }
}

public struct ObjectMetadata: Sendable, Equatable {
    public var key: String
    public var sizeBytes: Int64
    public var sha256: String?

    public init(key: String, sizeBytes: Int64, sha256: String?) {
        self.key = key
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
    }
}

/// An object being written: nothing is visible under its key until `commit`, and `abort` leaves nothing behind.
public protocol ObjectWriter: Sendable {
    func write(_ chunk: ByteBuffer) async throws
    /// Makes the object visible; throws `alreadyExists` if another writer committed the key first.
    func commit(sha256: String) async throws -> ObjectMetadata
    func abort() async
    /// After `commit`: the caller has recorded the object (or discarded it). Until then a store that
    /// notes interrupted commits keeps a note of this one, for `InterruptedCommits` after a crash.
    func release() async
}

extension ObjectWriter {
    public func release() async {}
}

/// A store that notes each commit until its writer is released, so that the commits of a process
/// that died in between (the object stored, its feed perhaps not) can be checked at the next start.
public protocol InterruptedCommits: Sendable {
    /// Keys committed by writers that ended without `release`.
    func interruptedCommits() async -> [String]
    /// Drops the note of `key` once it has been checked.
    func forgetInterruptedCommit(_ key: String) async
}

/// Immutable raw-file storage (a local folder or an S3 bucket).
public protocol ObjectStore: Sendable {
    /// The bucket name reported on feeds.
    var bucket: String { get }
    func makeWriter(key: String, contentType: String) async throws -> any ObjectWriter
    func read(key: String) async throws -> ObjectReadStream
    func metadata(key: String) async throws -> ObjectMetadata?
    /// Removes an object the caller just wrote and could not record (compensation only).
    func discard(key: String) async
    /// Throws when the store does not answer.
    func ping() async throws
}

public typealias ObjectReadStream = AsyncThrowingStream<ByteBuffer, any Error>
