import Synchronization

/// Runs an operation but stops waiting for it after a deadline. The operation is cancelled and left
/// to finish on its own (so a connection is never handed back mid-transaction by force); the caller
/// gets `nil` at the deadline instead of hanging with it.
enum Deadline {
    static func run<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T? {
        let race = Race<T>()
        let work = Task { try await operation() }
        return try await withCheckedThrowingContinuation { continuation in
            race.waiting(continuation)
            let timer = Task {
                // Cancelled when the work finished first: the deadline has not passed, so report nothing.
                do { try await Task.sleep(for: timeout) } catch { return }
                if race.finish(with: .success(nil)) { work.cancel() }
            }
            Task {
                let result = await work.result
                timer.cancel()
                _ = race.finish(with: result.map { Optional($0) })
            }
        }
    }

    /// The one continuation, resumed by whichever side finishes first.
    private final class Race<T: Sendable>: Sendable {
        private let continuation = Mutex<CheckedContinuation<T?, any Error>?>(nil)

        func waiting(_ value: CheckedContinuation<T?, any Error>) {
            continuation.withLock { $0 = value }
        }

        func finish(with result: Result<T?, any Error>) -> Bool {
            guard let waiting = continuation.withLock({ $0.take() }) else { return false }
            waiting.resume(with: result)
            return true
        }
    }
}
