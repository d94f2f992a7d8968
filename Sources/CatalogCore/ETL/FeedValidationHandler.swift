import CoreMetrics
import Foundation
import Logging
import Synchronization

/// Runs validation jobs (the ETL of a feed) as `TaskKind.validateFeed` tasks: 3 attempts in all,
/// transient failures (database or object store unavailable) retried with exponential backoff,
/// permanent ones failed at once (§Jobs).
public struct FeedValidationHandler: TaskHandler {
    let jobs: any ValidationJobs & JobRepository & FeedRepository
    let importer: FeedImporter
    /// The log of each running attempt, with its job's fields, for its heartbeats and its end.
    let attemptLoggers = AttemptLoggers()
    let events: JobEvents
    let logger: Logger
    public let retry: RetryPolicy

    public var kind: TaskKind { .validateFeed }

    /// `retryBaseDelay`: the wait after the first failed attempt, doubled after each next one.
    public init(catalog: Catalog, retryBaseDelay: TimeInterval = 1, logger: Logger) {
        self.jobs = catalog.store
        self.importer = catalog.importer
        self.events = catalog.events
        self.logger = logger
        self.retry = .exponential(base: retryBaseDelay, maxAttempts: FeedValidation.maxAttempts)
    }

    public func run(_ task: ClaimedTask, progress: TaskProgress) async throws -> TaskRunResult {
        let jobID = try FeedValidation.jobID(of: task)
        let started = ContinuousClock.now
        guard let (job, feed) = try await jobs.startAttempt(jobID: jobID, lease: task.lease, attempt: task.attempt, now: importer.clock.now())
        else { return .recorded }
        let logger = JobLog.logger(self.logger, JobLog.metadata(validationOf: feed))
        attemptLoggers.set(task.lease.taskID, logger)
        let attempt: Logger.MetadataValue = .stringConvertible(task.attempt)
        // A later attempt with no error kept from the one before: that attempt's worker lost its lease.
        if task.attempt > 1 && task.lastError == nil {
            logger.warning("job lease reclaimed", metadata: ["attempt": attempt, "worker": .string(task.lease.owner)])
        }
        var startedMetadata: Logger.Metadata = ["attempt": attempt, "worker": .string(task.lease.owner)]
        if let previous = job.error { startedMetadata["previous_error_code"] = .string(previous.code) }
        logger.info("job started", metadata: startedMetadata)

        let (summary, _) = try await importer.run(feed, jobID: jobID, progress: progress, lease: task.lease)
        attemptLoggers.remove(task.lease.taskID)
        events.finished.fire()
        Counter(label: "catalog_job_attempts", dimensions: [("outcome", "completed")]).increment()
        // Rows per second of the last completed job (its whole attempt: read, stage and merge).
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        Gauge(label: "catalog_etl_rows_per_second").record(Double(summary.rowsTotal) / max(seconds, 0.001))
        logger.info("job completed", metadata: JobLog.metadata(summary).merging(
            ["attempt": attempt, "duration_ms": .milliseconds(since: started)]) { $1 })
        return .recorded
    }

    public func record(_ task: ClaimedTask, _ end: TaskEnd, now: Date) async throws -> Bool {
        let jobID = try FeedValidation.jobID(of: task)
        let logger: Logger
        if let known = attemptLoggers.remove(task.lease.taskID) { logger = known } else { logger = try await jobLogger(jobID) }
        let attempt: Logger.MetadataValue = .stringConvertible(task.attempt)
        let outcome: JobOutcome
        switch end {
        case .completed:
            // The merge completes a validation job itself; nothing else ends one as completed.
            throw TaskFailure.permanent("INTERNAL", "A validation attempt ended without its merge.")
        case .retry(let failure, let at):
            outcome = .retry(failure.failure, retryAt: at)
            logger.warning("job retry scheduled", metadata: [
                "attempt": attempt, "error_code": .string(failure.failure.code), "error": .string(failure.failure.message),
                "backoff_ms": .stringConvertible(Int((max(0, at.timeIntervalSince(now)) * 1000).rounded())),
            ])
        case .failed(let failure):
            outcome = .failed(failure.failure)
            logger.error("job failed", metadata: [
                "attempt": attempt, "error_code": .string(failure.failure.code), "error": .string(failure.failure.message),
            ])
        case .handedBack:
            outcome = .retry(JobFailure(code: "WORKER_STOPPED", message: "The worker stopped during the job; it is queued again."), retryAt: now)
            logger.info("job handed back on shutdown", metadata: ["attempt": attempt])
        case .abandoned:
            let times = FeedValidation.maxAttempts
            outcome = .failed(JobFailure(code: "WORKER_LOST", message: "The worker running this job stopped answering, \(times) times."))
            logger.error("job failed", metadata: ["attempt": attempt, "error_code": "WORKER_LOST"])
        }
        let recorded = try await jobs.finishAttempt(jobID: jobID, lease: task.lease, outcome, now: now)
        events.finished.fire()
        if end != .handedBack {
            let name = if case .retry = outcome { "retry" } else { "failed" }
            Counter(label: "catalog_job_attempts", dimensions: [("outcome", name)]).increment()
        }
        return recorded
    }

    public func heartbeat(_ task: ClaimedTask, progress: Int64) async throws {
        try await jobs.recordProgress(jobID: try FeedValidation.jobID(of: task), lease: task.lease, rowsRead: progress)
        attemptLoggers.get(task.lease.taskID)?.debug("job progress", metadata: ["rows_read": .stringConvertible(progress)])
    }

    /// For an attempt that ended before it started (abandoned): the job's fields from the store.
    private func jobLogger(_ jobID: String) async throws -> Logger {
        guard let job = try await jobs.job(id: jobID) else { return JobLog.logger(logger, ["job_id": .string(jobID)]) }
        guard let feed = try await jobs.feed(id: job.feedID) else { return JobLog.logger(logger, JobLog.metadata(job)) }
        return JobLog.logger(logger, JobLog.metadata(validationOf: feed))
    }
}

/// Loggers by task, shared by an attempt's run, heartbeats and end.
final class AttemptLoggers: Sendable {
    private let loggers = Mutex<[Int64: Logger]>([:])

    func set(_ task: Int64, _ logger: Logger) { loggers.withLock { $0[task] = logger } }
    func get(_ task: Int64) -> Logger? { loggers.withLock { $0[task] } }
    @discardableResult
    func remove(_ task: Int64) -> Logger? { loggers.withLock { $0.removeValue(forKey: task) } }
}
