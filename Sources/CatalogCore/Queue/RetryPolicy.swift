import Foundation

/// When a failed attempt of a task kind is tried again: how many attempts in all, and the delay
/// before each next one, with an optional random spread so that retries of many tasks do not bunch.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    /// The delay after failed attempt `n` (from 1), before the spread.
    public var delay: @Sendable (Int) -> TimeInterval
    /// Each delay is moved by up to this fraction either way (0.1: ±10 %).
    public var jitter: Double

    public init(maxAttempts: Int, jitter: Double = 0, delay: @escaping @Sendable (Int) -> TimeInterval) {
        self.maxAttempts = maxAttempts
        self.jitter = jitter
        self.delay = delay
    }

    /// `base`, `2 × base`, `4 × base` …
    public static func exponential(base: TimeInterval, maxAttempts: Int) -> RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts) { attempt in base * pow(2, Double(attempt - 1)) }
    }

    /// The delays in order; attempts in all = delays + 1.
    public static func schedule(_ delays: [TimeInterval], jitter: Double) -> RetryPolicy {
        RetryPolicy(maxAttempts: delays.count + 1, jitter: jitter) { attempt in delays[min(attempt, delays.count) - 1] }
    }

    /// When to try again after failed attempt `attempt`, or nil when it was the last. `at least` (a
    /// `Retry-After` the other side asked for) wins when it is longer.
    public func nextAttempt(after attempt: Int, now: Date, atLeast: TimeInterval? = nil,
                            random: @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Date? {
        guard attempt < maxAttempts else { return nil }
        var seconds = delay(attempt)
        if jitter > 0 { seconds *= random((1 - jitter)...(1 + jitter)) }
        if let atLeast { seconds = max(seconds, atLeast) }
        return now.addingTimeInterval(seconds)
    }
}
