import CatalogCore
import Synchronization
import Testing

/// A settable monotonic clock in seconds.
final class ManualClock: Sendable {
    private let seconds = Mutex<Double>(1000)
    var now: Double { seconds.withLock { $0 } }
    func advance(_ by: Double) { seconds.withLock { $0 += by } }
}

@Suite struct AuthFailureLimiterTests {
    @Test func theFailureAfterTheLimitIsRefusedUntilTheOldestAgesOut() throws {
        let clock = ManualClock()
        let limiter = AuthFailureLimiter(failuresPerMinute: 3, now: { clock.now })
        for _ in 0..<3 {
            try limiter.check("10.0.0.1")
            limiter.recordFailure("10.0.0.1")
            clock.advance(10)
        }
        // Failures at t=0, 10, 20; now t=30: the oldest leaves the window at t=60.
        let error = try #require(throws: CatalogError.self) { try limiter.check("10.0.0.1") }
        #expect(error.code == .rateLimited)
        #expect(error.retryAfterSeconds == 30)
        // Another address is not affected; no address (no socket) is never limited.
        try limiter.check("10.0.0.2")
        try limiter.check(nil)
        clock.advance(29)
        #expect(throws: CatalogError.self) { try limiter.check("10.0.0.1") }
        clock.advance(1.5)
        try limiter.check("10.0.0.1")
    }

    @Test func zeroDisablesTheLimit() throws {
        let limiter = AuthFailureLimiter(failuresPerMinute: 0)
        for _ in 0..<100 { limiter.recordFailure("10.0.0.1") }
        try limiter.check("10.0.0.1")
    }

    @Test func theNumberOfAddressesTrackedIsBounded() throws {
        let clock = ManualClock()
        let limiter = AuthFailureLimiter(failuresPerMinute: 1, maxAddresses: 100, now: { clock.now })
        for index in 0..<10_000 {
            limiter.recordFailure("10.1.\(index / 256).\(index % 256)")
            clock.advance(0.001)
        }
        // The most recent addresses are still limited; the table did not grow past its bound.
        #expect(throws: CatalogError.self) { try limiter.check("10.1.39.15") }
        #expect(limiter.trackedAddresses <= 100)
    }
}

@Suite struct UploadSlotsTests {
    @Test func theFifthConcurrentUploadOfAPartnerIsRefused() async throws {
        let slots = UploadSlots(perPartner: 4)
        let (started, starting) = AsyncStream.makeStream(of: Void.self)
        let release = Gate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await slots.withSlot("acme") {
                        starting.yield()
                        await release.wait()
                    }
                }
            }
            var count = 0
            for await _ in started {
                count += 1
                if count == 4 { break }
            }
            #expect(slots.inUse("acme") == 4)
            let error = try await #require(throws: CatalogError.self) { try await slots.withSlot("acme") {} }
            #expect(error.code == .rateLimited)
            #expect(error.retryAfterSeconds == UploadSlots.retryAfterSeconds)
            // Another partner has slots of its own.
            try await slots.withSlot("rival") {}
            await release.open()
            try await group.waitForAll()
        }
        #expect(slots.inUse("acme") == 0)
        try await slots.withSlot("acme") {}
    }

    @Test func aFailedUploadGivesItsSlotBack() async throws {
        struct Failure: Error {}
        let slots = UploadSlots(perPartner: 1)
        await #expect(throws: Failure.self) { try await slots.withSlot("acme") { throw Failure() } }
        #expect(slots.inUse("acme") == 0)
    }
}

/// Suspends its waiters until it is opened.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}
