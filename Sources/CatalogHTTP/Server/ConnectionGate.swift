import Synchronization

/// Counts open client connections against `ServerLimits.maxConnections`.
final class ConnectionGate: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a place for a new connection; false (and nothing taken) when all are in use.
    func enter() -> Bool {
        let count = open.wrappingAdd(1, ordering: .relaxed).newValue
        guard count <= limit else {
            open.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func leave() {
        open.wrappingSubtract(1, ordering: .relaxed)
    }

    /// Counts a connection turned away; returns how many have been so far.
    func countRefusal() -> Int {
        refused.wrappingAdd(1, ordering: .relaxed).newValue
    }

    var openConnections: Int { open.load(ordering: .relaxed) }
}
