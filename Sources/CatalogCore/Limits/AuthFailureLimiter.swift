import Foundation
import Synchronization

/// Slows down key guessing: at most `failuresPerMinute` failed authentications per client address in
/// any 60 seconds. Beyond that, requests from the address that present a key are refused with 429
/// `RATE_LIMITED` (the key is not even looked up) until the oldest failure of the minute has aged out,
/// which `Retry-After` says. Memory stays bounded: at most `maxAddresses` addresses are tracked.
public final class AuthFailureLimiter: Sendable {
    public static let window: Double = 60

    private let limit: Int
    private let maxAddresses: Int
    private let now: @Sendable () -> Double
    /// Per address, the times of its failures in the window, oldest first.
    private let failures = Mutex<[String: [Double]]>([:])

    /// `failuresPerMinute` 0 disables the limit; `now` is a monotonic clock in seconds.
    public init(
        failuresPerMinute: Int, maxAddresses: Int = 10_000,
        now: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }
    ) {
        self.limit = max(0, failuresPerMinute)
        self.maxAddresses = max(1, maxAddresses)
        self.now = now
    }

    /// Throws `RATE_LIMITED` while `address` has used up its failures of the last minute.
    public func check(_ address: String?) throws {
        guard limit > 0, let address else { return }
        let time = now()
        let retryAfter: Double? = failures.withLock { table in
            guard var times = table[address] else { return nil }
            times.removeAll { $0 <= time - Self.window }
            if times.isEmpty {
                table[address] = nil
                return nil
            }
            table[address] = times
            guard times.count >= limit else { return nil }
            return times[times.count - limit] + Self.window - time
        }
        if let retryAfter {
            throw CatalogError.rateLimited(
                "Too many failed authentications from this address: at most \(limit) a minute. Try again later.",
                retryAfterSeconds: Int(retryAfter.rounded(.up)))
        }
    }

    /// Counts a failed authentication of `address`.
    public func recordFailure(_ address: String?) {
        guard limit > 0, let address else { return }
        let time = now()
        failures.withLock { table in
            var times = table[address] ?? []
            times.removeAll { $0 <= time - Self.window }
            times.append(time)
            if times.count > limit { times.removeFirst(times.count - limit) }
            table[address] = times
            if table.count > maxAddresses { Self.evict(&table, keeping: maxAddresses, at: time) }
        }
    }

    public var trackedAddresses: Int { failures.withLock { $0.count } }

    /// Drops addresses without a failure in the window, then those whose last failure is oldest.
    private static func evict(_ table: inout [String: [Double]], keeping count: Int, at time: Double) {
        table = table.filter { ($0.value.last ?? 0) > time - window }
        guard table.count > count else { return }
        let newest = table.sorted { ($0.value.last ?? 0) > ($1.value.last ?? 0) }.prefix(count * 9 / 10)
        table = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
    }
}
