import CoreMetrics
import Foundation
import Logging

/// A worker: claims validation jobs from the database queue and runs them under a lease that a
/// heartbeat extends. Runs until its task is cancelled.
public struct JobWorker: Sendable {
    public struct Settings: Sendable {
        public var leaseDuration: TimeInterval = 30
        public var heartbeatInterval: TimeInterval = 5
        public var pollInterval: TimeInterval = 0.5
        public var maxAttempts = 3
        public var retryBaseDelay: TimeInterval = 1
        public var autoRun = false

        public init() {}
    }

    let store: any CatalogStore
    let importer: FeedImporter
    let clock: any CatalogClock
    let owner: String
    let settings: Settings
    let logger: Logger
    let events: JobEvents

    public init(catalog: Catalog, owner: String, settings: Settings, logger: Logger) {
        self.events = catalog.events
        self.store = catalog.store
        self.importer = catalog.importer
        self.clock = catalog.clock
        self.owner = owner
        self.settings = settings
        self.logger = logger
    }

    public func run() async {
        while !Task.isCancelled {
            let seen = events.queued.generation
            do {
                if try await runOnce() { continue }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("job queue unavailable", metadata: ["error": .string("\(error)")])
            }
            // Polling covers jobs whose retry time comes round and stores that announce nothing.
            await events.queued.wait(since: seen, timeout: settings.pollInterval)
        }
    }

    /// Claims and runs one job; false when none was runnable.
    @discardableResult
    public func runOnce() async throws -> Bool {
        guard let claimed = try await store.claimNextJob(
            owner: owner, now: clock.now(), leaseFor: settings.leaseDuration, autoRun: settings.autoRun)
        else { return false }
        let jobID = claimed.job.jobID
        let started = ContinuousClock.now
        let attemptNumber: Logger.MetadataValue = .stringConvertible(claimed.job.attempts)
        let logger = JobLog.logger(self.logger, JobLog.metadata(validationOf: claimed.feed))
        // A later attempt with no error kept from the one before: that attempt's worker lost its lease.
        if claimed.job.attempts > 1 && claimed.job.error == nil {
            logger.warning("job lease reclaimed", metadata: ["attempt": attemptNumber, "worker": .string(owner)])
        }
        var startedMetadata: Logger.Metadata = ["attempt": attemptNumber, "worker": .string(owner)]
        if let previous = claimed.job.error { startedMetadata["previous_error_code"] = .string(previous.code) }
        logger.info("job started", metadata: startedMetadata)
        let progress = ImportProgress()
        let outcome = await withTaskGroup(of: AttemptEvent.self) { group -> JobOutcome? in
            group.addTask { .finished(await attempt(claimed, progress: progress)) }
            group.addTask { await keepLease(jobID, progress: progress, logger: logger) }
            var outcome: JobOutcome?
            var leaseLost = false
            for await event in group {
                switch event {
                case .finished(let result):
                    outcome = result
                    group.cancelAll()
                case .leaseLost:
                    leaseLost = true
                    group.cancelAll()
                case .stopped:
                    break
                }
            }
            return leaseLost ? nil : outcome
        }
        if let outcome {
            let recorded = try await store.finish(jobID: jobID, owner: owner, outcome: outcome, now: clock.now())
            events.finished.fire()
            Counter(label: "catalog_job_attempts", dimensions: [("outcome", outcome.name)]).increment()
            if case .completed(let summary, _) = outcome {
                // Rows per second of the last completed job (its whole attempt: read, stage and merge).
                let seconds = (ContinuousClock.now - started) / .seconds(1)
                Gauge(label: "catalog_etl_rows_per_second").record(Double(summary.rowsTotal) / max(seconds, 0.001))
            }
            if recorded {
                logTransition(outcome, logger, attempt: attemptNumber, duration: .milliseconds(since: started))
            } else {
                logger.warning("job lease lost; another worker takes it over", metadata: ["attempt": attemptNumber, "outcome": .string(outcome.name)])
            }
        } else if Task.isCancelled {
            // Shutting down: hand the job back now rather than when the lease runs out.
            let (store, owner, now) = (self.store, self.owner, clock.now())
            let stopped = JobFailure(code: "WORKER_STOPPED", message: "The worker stopped during the job; it is queued again.")
            _ = try? await Task.detached {
                try await store.finish(jobID: jobID, owner: owner, outcome: .retry(stopped, retryAt: now), now: now)
            }.value
            logger.info("job handed back on shutdown", metadata: ["attempt": attemptNumber])
        } else {
            logger.warning("job lease lost; another worker takes it over", metadata: ["attempt": attemptNumber])
        }
        return true
    }

    private func logTransition(_ outcome: JobOutcome, _ logger: Logger, attempt: Logger.MetadataValue, duration: Logger.MetadataValue) {
        switch outcome {
        case .completed(let summary, _):
            logger.info("job completed", metadata: JobLog.metadata(summary).merging(
                ["attempt": attempt, "duration_ms": duration]) { $1 })
        case .retry(let failure, let retryAt):
            let backoff = max(0, retryAt.timeIntervalSince(clock.now()))
            logger.warning("job retry scheduled", metadata: [
                "attempt": attempt, "duration_ms": duration, "error_code": .string(failure.code), "error": .string(failure.message),
                "backoff_ms": .stringConvertible(Int((backoff * 1000).rounded())),
            ])
        case .failed(let failure):
            logger.error("job failed", metadata: [
                "attempt": attempt, "duration_ms": duration, "error_code": .string(failure.code), "error": .string(failure.message),
            ])
        }
    }

    private func attempt(_ claimed: ClaimedJob, progress: ImportProgress) async -> JobOutcome? {
        do {
            let (summary, message) = try await importer.run(claimed.feed, jobID: claimed.job.jobID, progress: progress)
            return .completed(summary, message: message)
        } catch {
            if Task.isCancelled { return nil }
            guard error.isTransient, claimed.job.attempts < settings.maxAttempts else { return .failed(error.failure) }
            let delay = settings.retryBaseDelay * pow(2, Double(claimed.job.attempts - 1))
            return .retry(error.failure, retryAt: clock.now().addingTimeInterval(delay))
        }
    }

    private enum AttemptEvent: Sendable {
        case finished(JobOutcome?)
        case leaseLost
        case stopped
    }

    private func keepLease(_ jobID: String, progress: ImportProgress, logger: Logger) async -> AttemptEvent {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(settings.heartbeatInterval))
            if Task.isCancelled { break }
            let rowsRead = progress.rowsRead
            let held = try? await store.heartbeat(
                jobID: jobID, owner: owner, rowsRead: rowsRead, now: clock.now(), leaseFor: settings.leaseDuration)
            if held == false { return .leaseLost }
            logger.debug("job progress", metadata: ["rows_read": .stringConvertible(rowsRead)])
        }
        return .stopped
    }
}

extension JobOutcome {
    var name: String {
        switch self {
        case .completed: "completed"
        case .retry: "retry"
        case .failed: "failed"
        }
    }
}
