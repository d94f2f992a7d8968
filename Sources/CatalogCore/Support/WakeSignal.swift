import Foundation
import Synchronization

/// Wakes waiting tasks when something happened, or lets them time out. A fire between reading
/// `generation` and waiting is not lost: `wait(since:)` returns at once when the generation moved.
public final class WakeSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [UInt64: AsyncStream<Void>.Continuation] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var generation: UInt64 { state.withLock { $0.generation } }

    public func fire() {
        let waiters = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.yield() }
    }

    /// Returns when the signal fires after `generation`, when `timeout` passes, or when the task is cancelled.
    public func wait(since generation: UInt64, timeout: TimeInterval) async {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        let id: UInt64? = state.withLock { state in
            guard state.generation == generation else { return nil }
            state.nextWaiter &+= 1
            state.waiters[state.nextWaiter] = continuation
            return state.nextWaiter
        }
        guard let id else { return }
        defer { _ = state.withLock { $0.waiters.removeValue(forKey: id) } }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in stream { return }
            }
            group.addTask { try? await Task.sleep(for: .seconds(timeout)) }
            await group.next()
            group.cancelAll()
        }
    }
}

/// What workers and waiters listen for: jobs queued and jobs finished, in this process or (when the
/// store announces them, as PostgreSQL does with LISTEN/NOTIFY) in any process.
public final class JobEvents: Sendable {
    public let queued = WakeSignal()
    public let finished = WakeSignal()

    public init() {}
}
