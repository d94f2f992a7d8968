import CatalogCore
import Foundation
import Testing

@Suite struct RetryPolicyTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func exponentialDoublesAndStopsAtTheLastAttempt() {
        let policy = RetryPolicy.exponential(base: 10, maxAttempts: 3)
        #expect(policy.nextAttempt(after: 1, now: now) == now + 10)
        #expect(policy.nextAttempt(after: 2, now: now) == now + 20)
        #expect(policy.nextAttempt(after: 3, now: now) == nil)
    }

    /// The webhook schedule of §Webhooks: 8 tries, each delay within ±10 %.
    @Test func aScheduleWithJitterStaysWithinItsSpread() {
        let delays: [TimeInterval] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000]
        let policy = RetryPolicy.schedule(delays, jitter: 0.1)
        #expect(policy.maxAttempts == 8)
        for (index, delay) in delays.enumerated() {
            let low = policy.nextAttempt(after: index + 1, now: now) { $0.lowerBound }!
            let high = policy.nextAttempt(after: index + 1, now: now) { $0.upperBound }!
            #expect(abs(low.timeIntervalSince(now) - delay * 0.9) < 1e-6 && abs(high.timeIntervalSince(now) - delay * 1.1) < 1e-6)
            let drawn = policy.nextAttempt(after: index + 1, now: now)!.timeIntervalSince(now)
            #expect(drawn >= delay * 0.9 - 1e-6 && drawn <= delay * 1.1 + 1e-6)
        }
        #expect(policy.nextAttempt(after: 8, now: now) == nil)
    }

    @Test func aLongerRetryAfterWins() {
        let policy = RetryPolicy.schedule([5, 300], jitter: 0)
        #expect(policy.nextAttempt(after: 1, now: now, atLeast: 60) == now + 60)
        #expect(policy.nextAttempt(after: 2, now: now, atLeast: 60) == now + 300)
    }
}
