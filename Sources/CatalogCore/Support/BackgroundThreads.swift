import Foundation

/// Threads for CPU-heavy work on behalf of a request (inflating a gzip upload), apart from the
/// threads that serve requests and at a lower scheduling priority (nice 10): when the cores are
/// busy, `/health` and the other requests still get their turn within milliseconds, and the heavy
/// work takes what is left.
final class BackgroundThreads: @unchecked Sendable {
    static let shared = BackgroundThreads(count: max(1, ProcessInfo.processInfo.activeProcessorCount))

    /// Guards `jobs`; signalled when one is added.
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    init(count: Int) {
        for index in 0..<count {
            let thread = Thread { [self] in work() }
            thread.name = "partner-catalog.background-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on one of the threads; the caller's task is suspended meanwhile.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<T, any Error>) in
            condition.lock()
            jobs.append { done.resume(with: Result { try body() }) }
            condition.signal()
            condition.unlock()
        }
    }

    private func work() {
        #if os(Linux)
        // Per thread on Linux: the nice value of the calling thread only.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
