import CatalogCore
import Foundation
import Synchronization

/// Fans this node's product changes out to its live streams, as its follower reads them: each change
/// is rendered once and its bytes shared by every stream allowed to see it. A stream that falls more
/// than `bufferedChunks` behind (its client stopped reading) is ended, never buffered without bound;
/// its client resumes from its last event id.
final class ChangeStreamHub: Sendable {
    static let eventsPerChunk = 256
    static let bufferedChunks = 64

    private struct Subscriber: Sendable {
        let partnerName: String?
        let continuation: AsyncStream<ChangeStreamItem>.Continuation
    }

    private final class Subscribers: Sendable {
        let all = Mutex<[UInt64: Subscriber]>([:])
        func withLock<T>(_ body: (inout [UInt64: Subscriber]) -> T) -> T { all.withLock { body(&$0) } }
    }

    private let subscribers = Subscribers()
    private let nextID = Atomic<UInt64>(0)
    private let pinger: Task<Void, Never>
    private let listeners: ProductChangeListeners
    private let listenerID = Atomic<UInt64>(0)

    /// `pingInterval`: how often every stream gets a `: ping` comment, keeping idle connections open.
    init(listeners: ProductChangeListeners, pingInterval: Duration = .seconds(15)) {
        let subscribers = self.subscribers
        pinger = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: pingInterval)
                for subscriber in subscribers.withLock({ Array($0.values) }) { subscriber.continuation.yield(.ping) }
            }
        }
        self.listeners = listeners
        listenerID.store(listeners.add { [weak self] batch, changes in self?.publish(batch, changes) }, ordering: .relaxed)
    }

    deinit {
        pinger.cancel()
        listeners.remove(listenerID.load(ordering: .relaxed))
    }

    var streamCount: Int { subscribers.withLock { $0.count } }

    /// A stream of what `partnerName` (nil: every partner) may see, from now on; `end` unsubscribes.
    func subscribe(partnerName: String?) -> (stream: AsyncStream<ChangeStreamItem>, end: @Sendable () -> Void) {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(
            of: ChangeStreamItem.self, bufferingPolicy: .bufferingOldest(Self.bufferedChunks))
        subscribers.withLock { $0[id] = Subscriber(partnerName: partnerName, continuation: continuation) }
        let end: @Sendable () -> Void = { [weak self] in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
            continuation.finish()
        }
        return (stream, end)
    }

    private func publish(_ batch: ChangeBatch, _ changes: [ProductChange]) {
        let audience = subscribers.withLock { all in all.filter { $0.value.partnerName == nil || $0.value.partnerName == batch.partnerName } }
        guard !audience.isEmpty else { return }
        var start = 0
        while start < changes.count {
            let end = min(start + Self.eventsPerChunk, changes.count)
            let chunk = ChangeEventChunk(partnerName: batch.partnerName, changes[start..<end])
            for (id, subscriber) in audience {
                if case .dropped = subscriber.continuation.yield(.changes(chunk)) {
                    // Too far behind: ended, so that the client reconnects and resumes from its last id.
                    _ = subscribers.withLock { $0.removeValue(forKey: id) }
                    subscriber.continuation.finish()
                }
            }
            start = end
        }
    }
}
