import CoreMetrics
import Foundation
import Logging

/// A worker: claims tasks of its kinds from the queue and runs them with their handlers under a
/// lease that a heartbeat extends, retrying failures as each kind's `RetryPolicy` says. Runs until
/// its task is cancelled; on cancellation it hands a running task back.
public struct TaskWorker: Sendable {
    public struct Settings: Sendable {
        public var leaseDuration: TimeInterval = 30
        public var heartbeatInterval: TimeInterval = 5
        /// The longest a worker sleeps between claims when nothing wakes it (retries coming due).
        public var pollInterval: TimeInterval = 0.5

        public init() {}

        public func polling(every interval: TimeInterval) -> Settings {
            var settings = self
            settings.pollInterval = interval
            return settings
        }
    }

    let queue: any TaskQueue
    let handlers: [TaskKind: any TaskHandler]
    let clock: any CatalogClock
    let owner: String
    let settings: Settings
    let logger: Logger
    /// Fired when tasks are added (in this process, or in any when the store announces them).
    let wake: WakeSignal

    public init(
        queue: any TaskQueue, handlers: [any TaskHandler], clock: any CatalogClock, owner: String, settings: Settings,
        wake: WakeSignal, logger: Logger
    ) {
        self.queue = queue
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        self.clock = clock
        self.owner = owner
        self.settings = settings
        self.wake = wake
        self.logger = logger
    }

    public var kinds: Set<TaskKind> { Set(handlers.keys) }

    public func run() async {
        var polled = false
        while !Task.isCancelled {
            let seen = wake.generation
            do {
                if try await runOnce() {
                    // Work that polling found (retries come due, tasks another process added unannounced)
                    // may not be alone: the other workers, which poll less often, look too.
                    if polled { wake.fire() }
                    polled = false
                    continue
                }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("task queue unavailable", metadata: ["error": .string("\(error)"), "worker": .string(owner)])
            }
            await wake.wait(since: seen, timeout: settings.pollInterval)
            polled = wake.generation == seen
        }
    }

    /// Claims and runs one task; false when none was runnable.
    @discardableResult
    public func runOnce() async throws -> Bool {
        guard let task = try await queue.claim(kinds: kinds, owner: owner, now: clock.now(), leaseFor: settings.leaseDuration)
        else { return false }
        let logger = JobLog.logger(self.logger, ["task_id": .stringConvertible(task.lease.taskID), "task_kind": .string(task.kind.rawValue)])
        guard let handler = handlers[task.kind] else {
            _ = try await queue.finish(task.lease, .failed(error: "No handler for \(task.kind)."), now: clock.now())
            return true
        }
        guard task.attempt <= handler.retry.maxAttempts else {
            _ = try await handler.record(task, .abandoned, now: clock.now())
            Counter(label: "catalog_task_attempts", dimensions: [("kind", task.kind.rawValue), ("outcome", "abandoned")]).increment()
            return true
        }
        let progress = TaskProgress()
        let (result, leaseLost) = await withTaskGroup(of: AttemptEvent.self) { group -> (Result<TaskRunResult, any Error>?, Bool) in
            group.addTask {
                do { return .finished(.success(try await handler.run(task, progress: progress))) } catch {
                    return .finished(.failure(error))
                }
            }
            group.addTask { await keepLease(task, handler, progress: progress, logger: logger) }
            var result: Result<TaskRunResult, any Error>?
            var leaseLost = false
            for await event in group {
                switch event {
                case .finished(let outcome):
                    result = outcome
                    group.cancelAll()
                case .leaseLost:
                    // The attempt is cancelled but still awaited: it may have committed its end just now.
                    leaseLost = true
                    group.cancelAll()
                case .stopped:
                    break
                }
            }
            return (result, leaseLost)
        }
        let end: TaskEnd?
        switch result {
        case .success(.recorded)?:
            end = nil
        case .success(.completed)?:
            end = .completed
        case .failure(let error)? where leaseLost || error is TaskLeaseLost:
            logger.warning("task lease lost; another worker takes it over", metadata: ["worker": .string(owner)])
            end = nil
        case .failure? where Task.isCancelled, nil:
            // Shutting down: hand the task back now rather than when the lease runs out.
            let (clock, task) = (self.clock, task)
            _ = try? await Task.detached { try await handler.record(task, .handedBack, now: clock.now()) }.value
            end = nil
        case .failure(let error)?:
            let failure = handler.failure(for: error)
            if failure.isTransient, let at = handler.retry.nextAttempt(after: task.attempt, now: clock.now(), atLeast: failure.retryAfter) {
                end = .retry(failure, at: at)
            } else {
                end = .failed(failure)
            }
        }
        if let end {
            let recorded = try await handler.record(task, end, now: clock.now())
            if !recorded { logger.warning("task lease lost before its end was recorded", metadata: ["worker": .string(owner)]) }
        }
        Counter(label: "catalog_task_attempts", dimensions: [("kind", task.kind.rawValue), ("outcome", end?.name ?? "recorded")]).increment()
        return true
    }

    private enum AttemptEvent: Sendable {
        case finished(Result<TaskRunResult, any Error>)
        case leaseLost
        case stopped
    }

    private func keepLease(_ task: ClaimedTask, _ handler: any TaskHandler, progress: TaskProgress, logger: Logger) async -> AttemptEvent {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(settings.heartbeatInterval))
            if Task.isCancelled { break }
            let held = try? await queue.heartbeat(task.lease, now: clock.now(), leaseFor: settings.leaseDuration)
            if held == false { return .leaseLost }
            if held == true { try? await handler.heartbeat(task, progress: progress.value) }
        }
        return .stopped
    }
}

extension TaskEnd {
    var name: String {
        switch self {
        case .completed: "completed"
        case .retry: "retry"
        case .failed: "failed"
        case .handedBack: "handed_back"
        case .abandoned: "abandoned"
        }
    }
}
