import Synchronization

/// Who hears of product changes as a node's follower reads them (the live streams of
/// `/products/changes`). Called on the follower's task: a listener must hand the work off, not do it.
public final class ProductChangeListeners: Sendable {
    public typealias Listener = @Sendable (ChangeBatch, [ProductChange]) -> Void

    private let listeners = Mutex<[UInt64: Listener]>([:])
    private let nextID = Atomic<UInt64>(0)

    public init() {}

    @discardableResult
    public func add(_ listener: @escaping Listener) -> UInt64 {
        let id = nextID.add(1, ordering: .relaxed).newValue
        listeners.withLock { $0[id] = listener }
        return id
    }

    public func remove(_ id: UInt64) {
        _ = listeners.withLock { $0.removeValue(forKey: id) }
    }

    public var isEmpty: Bool { listeners.withLock { $0.isEmpty } }

    func publish(_ batch: ChangeBatch, _ changes: [ProductChange]) {
        for listener in listeners.withLock({ Array($0.values) }) { listener(batch, changes) }
    }
}
