import CatalogCore
import Foundation
import NIOCore

/// Hands a response body from the curl thread to an async reader with backpressure: the curl
/// thread blocks in `push` while `limit` bytes wait unread, so a slow reader holds memory, not the object.
public final class BodyChannel: @unchecked Sendable {
    public enum First: Sendable {
        /// Body bytes arrived (the answer was 2xx); read them with `next`.
        case body
        /// The transfer ended before any body byte arrived.
        case ended(Result<CurlResponse, CurlFailure>)
    }

    private let condition = NSCondition()
    private let limit: Int
    // Guarded by `condition`.
    private var chunks = CircularBuffer<ByteBuffer>()
    private var queuedBytes = 0
    private var outcome: Result<CurlResponse, CurlFailure>?
    private var readerGone = false
    private var announcedHeaders: [String: String] = [:]
    private var waiter: CheckedContinuation<Void, Never>?

    public init(limit: Int) { self.limit = limit }

    // MARK: the curl thread

    /// The answer's headers, before its first body chunk.
    func announce(headers: [String: String]) {
        locked { announcedHeaders = headers }
    }

    /// Queues a chunk, waiting for room; false once the reader has gone away.
    func push(_ chunk: ByteBuffer) -> Bool {
        condition.lock()
        while queuedBytes >= limit && !readerGone { condition.wait() }
        let accepted = !readerGone
        if accepted {
            chunks.append(chunk)
            queuedBytes += chunk.readableBytes
        }
        let waiter = takeWaiter()
        condition.unlock()
        waiter?.resume()
        return accepted
    }

    public func finish(_ result: Result<CurlResponse, CurlFailure>) {
        condition.lock()
        outcome = result
        let waiter = takeWaiter()
        condition.unlock()
        waiter?.resume()
    }

    // MARK: the reader

    /// The answer's headers (lower-cased names), once its body has begun.
    public var headers: [String: String] { locked { announcedHeaders } }

    /// How the transfer ended, once it has.
    public var result: Result<CurlResponse, CurlFailure>? { locked { outcome } }

    /// Waits until the first body bytes arrive or the transfer ends.
    public func first() async -> First {
        while true {
            let state: First? = locked {
                if !chunks.isEmpty { return .body }
                return outcome.map(First.ended)
            }
            if let state { return state }
            await waitForChange()
        }
    }

    /// The next chunk; nil at the end. Throws when the transfer failed part-way.
    public func next() async throws -> ByteBuffer? {
        while true {
            try Task.checkCancellation()
            let step: Result<ByteBuffer?, any Error>? = locked {
                if let chunk = chunks.popFirst() {
                    queuedBytes -= chunk.readableBytes
                    condition.signal()
                    return .success(chunk)
                }
                switch outcome {
                case .success(let response) where response.isSuccess: return .success(nil)
                case .success(let response):
                    return .failure(ObjectStoreError.unavailable("the read ended with HTTP \(response.status)"))
                case .failure(let failure):
                    return .failure(ObjectStoreError.unavailable("the read broke off: \(failure.message)"))
                case nil: return nil
                }
            }
            if let step { return try step.get() }
            await withTaskCancellationHandler { await waitForChange() } onCancel: { readerLeft() }
        }
    }

    /// The reader stopped: unblocks the curl thread, whose next `push` then aborts the transfer.
    public func readerLeft() {
        condition.lock()
        readerGone = true
        chunks.removeAll()
        queuedBytes = 0
        condition.broadcast()
        let waiter = takeWaiter()
        condition.unlock()
        waiter?.resume()
    }

    private func waitForChange() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            if chunks.isEmpty && outcome == nil && !readerGone {
                waiter = continuation
                condition.unlock()
            } else {
                condition.unlock()
                continuation.resume()
            }
        }
    }

    private func takeWaiter() -> CheckedContinuation<Void, Never>? {
        defer { waiter = nil }
        return waiter
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }
}

/// Closes the channel when the stream that reads it is released, even if it was not read to the end.
public final class BodyReader: Sendable {
    public let channel: BodyChannel

    public init(_ channel: BodyChannel) { self.channel = channel }

    deinit { channel.readerLeft() }
}
