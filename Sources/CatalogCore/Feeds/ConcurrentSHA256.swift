import Crypto
import Dispatch
import NIOCore
import Synchronization

/// A SHA-256 computed on its own serial queue, so an upload's hashing (its largest CPU cost) runs
/// on another core while the caller inspects and spools the same chunks. Chunks are hashed in the
/// order `update` is called; they are held, not copied, until hashed. When more than `backlog`
/// bytes wait, `update` suspends until the queue has caught up by half, bounding the memory.
/// One producer at a time: `update`s, then `finalize` (or `cancel`).
final class ConcurrentSHA256: Sendable {
    static let defaultBacklog = 4 << 20

    private struct Backlog {
        var bytes = 0
        var waiter: CheckedContinuation<Void, Never>?
        var isCancelled = false
    }

    private let queue = DispatchQueue(label: "partner-catalog.upload-sha256")
    private let limit: Int
    private let backlog = Mutex(Backlog())
    /// Touched on `queue` only; the lock is never contended.
    private let hasher = Mutex(SHA256())

    init(backlog: Int = ConcurrentSHA256.defaultBacklog) {
        self.limit = max(1, backlog)
    }

    func update(_ chunk: ByteBuffer) async {
        let count = chunk.readableBytes
        guard count > 0 else { return }
        let mustWait = backlog.withLock { state in
            state.bytes += count
            return state.bytes > limit
        }
        queue.async { self.hash(chunk) }
        guard mustWait else { return }
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let caughtUp = backlog.withLock { state in
                guard state.bytes > limit / 2, !state.isCancelled else { return true }
                state.waiter = waiter
                return false
            }
            if caughtUp { waiter.resume() }
        }
    }

    /// The digest of every chunk given, once the queue has hashed them all.
    func finalize() async -> SHA256.Digest {
        await withCheckedContinuation { done in
            queue.async { done.resume(returning: self.hasher.withLock { $0.finalize() }) }
        }
    }

    /// Drops the chunks still waiting (the upload failed); the digest is meaningless afterwards.
    func cancel() {
        let waiter = backlog.withLock { state in
            state.isCancelled = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    private func hash(_ chunk: ByteBuffer) {
        let skip = backlog.withLock { $0.isCancelled }
        if !skip {
            hasher.withLock { hasher in chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) } }
        }
        let waiter = backlog.withLock { state -> CheckedContinuation<Void, Never>? in
            state.bytes -= chunk.readableBytes
            guard state.bytes <= limit / 2 else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
