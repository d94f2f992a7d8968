@testable import CatalogPostgres
import Testing

@Suite struct DeadlineTests {
    /// Work that finishes in time always yields its value, never a spurious timeout.
    @Test func quickWorkAlwaysWins() async throws {
        let timedOut = try await withThrowingTaskGroup(of: Int.self) { group in
            for lane in 0..<64 {
                group.addTask {
                    var misses = 0
                    for index in 0..<200 where try await Deadline.run(.seconds(5), { lane * 1_000 + index }) != lane * 1_000 + index {
                        misses += 1
                    }
                    return misses
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(timedOut == 0)
    }

    @Test func slowWorkTimesOutAndIsCancelled() async throws {
        let started = ContinuousClock.now
        let value: Int? = try await Deadline.run(.milliseconds(100)) {
            try await Task.sleep(for: .seconds(600))
            return 1
        }
        #expect(value == nil)
        // Far under the work's 600 s; loose because the rest of the suite loads both cores meanwhile.
        #expect(ContinuousClock.now - started < .seconds(120))
    }

    @Test func errorsPassThrough() async throws {
        struct Boom: Error {}
        await #expect(throws: Boom.self) { _ = try await Deadline.run(.seconds(5)) { throw Boom() } }
    }
}
