import Foundation
import Logging

/// `POST /jobs/{id}/run` and `GET /jobs/{id}/errors`.
public struct JobRunService: Sendable {
    let store: any JobRepository & ValidationJobs & ProductLoader
    let clock: any CatalogClock
    let events: JobEvents
    let readModel: (any ProductReadModel)?

    public init(store: any JobRepository & ValidationJobs & ProductLoader, clock: any CatalogClock, events: JobEvents = JobEvents(), readModel: (any ProductReadModel)? = nil) {
        self.store = store
        self.clock = clock
        self.events = events
        self.readModel = readModel
    }

    /// Queues a validation job for the workers; a job already queued or running is returned as it is.
    /// Logs the transition on `logger` (`job queued` for a finished job run again, `job run requested`
    /// for one that was queued already).
    public func requestRun(_ jobID: String, by principal: Principal, logger: Logger = JobLog.defaultLogger) async throws -> Job {
        try principal.require(.partner, .admin)
        let job = try await JobQueries(store: store).get(jobID, by: principal)
        guard job.jobType == .validation else {
            throw CatalogError.conflict("Only validation jobs can be run; \(jobID) is a submission job.")
        }
        guard let queued = try await store.requestRun(jobID: jobID, at: clock.now()) else {
            throw CatalogError.notFound("Job", jobID)
        }
        events.queued.fire()
        let metadata = JobLog.metadata(queued).merging(["previous_status": .string(job.status.rawValue)]) { $1 }
        switch (job.status, queued.status) {
        case (.completed, .queued), (.failed, .queued): logger.info("job queued", metadata: metadata)
        case (.queued, .queued): logger.info("job run requested", metadata: metadata)
        default: logger.debug("job run requested; it is already running", metadata: metadata)
        }
        return queued
    }

    /// Polls until the job has finished or `timeout` passes; returns the job as it then is. A completed
    /// job is returned once this node's read model serves its changes (read your writes).
    public func waitForFinish(_ jobID: String, timeout: TimeInterval) async throws -> Job {
        let deadline = Date().addingTimeInterval(timeout)
        var delay: TimeInterval = 0.02
        while true {
            let seen = events.finished.generation
            guard let job = try await store.job(id: jobID) else { throw CatalogError.notFound("Job", jobID) }
            if job.status == .completed, let position = job.changePosition, let readModel {
                let changes = job.summary.map { $0.inserted + $0.updated + $0.deactivated } ?? 0
                _ = await readModel.waitUntilServed(position, changes: changes, timeout: max(0, deadline.timeIntervalSinceNow))
                return job
            }
            if job.status == .completed || job.status == .failed || Date() >= deadline { return job }
            // Woken by any finished job, or polling with backoff for stores that announce nothing.
            await events.finished.wait(since: seen, timeout: min(delay, deadline.timeIntervalSinceNow))
            try Task.checkCancellation()
            delay = min(delay * 2, 0.25)
        }
    }

    public func diagnostics(_ jobID: String, _ page: PageRequest, by principal: Principal) async throws -> Page<RowDiagnostic> {
        _ = try await JobQueries(store: store).get(jobID, by: principal)
        return try await store.diagnostics(jobID: jobID, page)
    }
}
