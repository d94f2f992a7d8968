@testable import CatalogPostgres
import Testing

@Suite struct DeadlineTests {
    /// An operation that finishes long before its deadline always gives its value: the cancelled timer
    /// must not report the deadline as passed (it raced the result and sometimes won).
    @Test func fastOperationsAlwaysGiveTheirValue() async throws {
        var timeouts = 0
        for attempt in 0..<20_000 {
            if try await Deadline.run(.seconds(60), { attempt }) == nil { timeouts += 1 }
        }
        #expect(timeouts == 0)
    }

    @Test func slowOperationsGiveNilAtTheDeadline() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let value = try await Deadline.run(.milliseconds(50)) {
            try? await Task.sleep(for: .seconds(300))
            return 1
        }
        #expect(value == nil)
        // Far sooner than the operation would end (generous: the whole suite shares two cores).
        #expect(clock.now - start < .seconds(60))
    }
}
