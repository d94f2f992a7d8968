import Foundation

/// Spaces the requests this process sends to one host at least 60/`perMinute` seconds apart
/// (`max_requests_per_minute`). Across processes a host's fetches never overlap (their tasks share a
/// serial key), so the spacing holds within each fetch and between fetches made by one node.
public actor HostPacer {
    private var nextSlot: [String: Date] = [:]

    public init() {}

    /// Waits for the host's next free slot and takes it.
    public func take(host: String, perMinute: Int) async throws {
        let now = Date()
        let slot = max(now, nextSlot[host] ?? now)
        nextSlot[host] = slot.addingTimeInterval(60 / Double(max(1, perMinute)))
        if nextSlot.count > 10_000 { nextSlot = nextSlot.filter { $0.value > now } }
        let wait = slot.timeIntervalSince(now)
        if wait > 0 { try await Task.sleep(for: .milliseconds(Int64(wait * 1000))) }
    }
}
