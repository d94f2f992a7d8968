import CatalogCore
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalogStore: ValidationJobs {
    public func requestRun(jobID: String, at date: Date) async throws -> Job? {
        try await transaction { connection in
            let logger = self.logger
            guard let row = try await connection.query("""
                SELECT j.*, f.partner_id AS feed_partner_id FROM jobs j JOIN feeds f ON f.feed_id = j.feed_id
                WHERE j.job_id = \(jobID) FOR UPDATE OF j
                """, logger: logger).first()
            else { return nil }
            let job = try Self.job(from: row)
            guard job.jobType == .validation else { return job }
            let runs = Int(try row.value("runs", Int32.self))
            switch job.status {
            case .running:
                return job
            case .queued where runs > 0:
                return job  // its task is waiting already (perhaps for a retry's backoff)
            case .queued:
                try await connection.query("UPDATE jobs SET runs = 1 WHERE job_id = \(jobID)", logger: logger).drain()
            case .completed, .failed:
                try await connection.query("""
                    UPDATE jobs SET status = 'queued', runs = runs + 1, attempts = 0, started_at = NULL,
                        finished_at = NULL, rows_read = 0, rows_total = NULL, inserted = NULL, updated = NULL,
                        unchanged = NULL, skipped = NULL, deactivated = NULL, error_code = NULL, error_message = NULL,
                        change_position = NULL, message = 'Queued for validation.'
                    WHERE job_id = \(jobID)
                    """, logger: logger).drain()
            }
            let task = FeedValidation.task(
                jobID: jobID, partnerID: try row.value("feed_partner_id"), run: job.status == .queued ? 1 : runs + 1, at: date)
            _ = try await Self.insert([task], connection, logger)
            return try await Self.job(id: jobID, connection, logger)
        }
    }

    public func startAttempt(jobID: String, lease: TaskLease, attempt: Int, now: Date) async throws -> (Job, Feed)? {
        try await transaction { connection in
            let logger = self.logger
            guard try await Self.holds(lease, connection, logger), let before = try await Self.job(id: jobID, connection, logger)
            else { return nil }
            try await connection.query("""
                UPDATE jobs SET status = 'running', attempts = \(attempt), started_at = \(now), finished_at = NULL, rows_read = 0,
                    message = 'Running.'
                WHERE job_id = \(jobID)
                """, logger: logger).drain()
            try await connection.query("UPDATE feeds SET status = 'processing' WHERE feed_id = \(before.feedID)", logger: logger).drain()
            guard let feed = try await Self.feed(id: before.feedID, connection, logger) else { return nil }
            // The job as the attempt found it: its error is the previous attempt's.
            return (before, feed)
        }
    }

    public func recordProgress(jobID: String, lease: TaskLease, rowsRead: Int64) async throws {
        try await withConnection { connection in
            try await connection.query("""
                UPDATE jobs SET rows_read = \(rowsRead) WHERE job_id = \(jobID) AND status = 'running'
                """, logger: self.logger).drain()
        }
    }

    public func finishAttempt(jobID: String, lease: TaskLease, _ outcome: JobOutcome, now: Date) async throws -> Bool {
        try await transaction { connection in
            let logger = self.logger
            let feedStatus: FeedStatus
            switch outcome {
            case .retry(let failure, let retryAt):
                guard try await Self.finish(lease, .retry(at: retryAt, error: failure.message), now: now, connection, logger)
                else { return false }
                try await connection.query("""
                    UPDATE jobs SET status = 'queued', error_code = \(failure.code), error_message = \(failure.message),
                        message = 'Attempt ' || attempts || ' failed (' || \(failure.message) || '); retrying.'
                    WHERE job_id = \(jobID)
                    """, logger: logger).drain()
                feedStatus = .processing
            case .failed(let failure):
                guard try await Self.finish(lease, .failed(error: failure.message), now: now, connection, logger) else { return false }
                try await connection.query("""
                    UPDATE jobs SET status = 'failed', finished_at = \(now), error_code = \(failure.code),
                        error_message = \(failure.message), message = \("ETL processing failed: \(failure.message)")
                    WHERE job_id = \(jobID)
                    """, logger: logger).drain()
                feedStatus = .failed
            }
            try await connection.query("""
                UPDATE feeds SET status = \(feedStatus.rawValue) WHERE feed_id = (SELECT feed_id FROM jobs WHERE job_id = \(jobID))
                """, logger: logger).drain()
            if case .failed = outcome {
                if let job = try await Self.job(id: jobID, connection, logger) {
                    try await Self.record(.jobFinished(job, at: now), connection, logger)
                }
                try await Self.notify(.jobCompleted, payload: jobID, connection, logger)
            }
            return true
        }
    }

    /// The end of a completed attempt, inside its merge's transaction: throws `TaskLeaseLost` (rolling
    /// the merge back) when the lease is no longer held.
    static func complete(
        jobID: String, _ completion: AttemptCompletion, _ counts: MergeCounts, changePosition: Int64?,
        _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        let now = completion.finishedAt()
        guard try await finish(completion.lease, .completed, now: now, connection, logger) else {
            throw TaskLeaseLost(completion.lease)
        }
        let (summary, message) = completion.describe(counts)
        try await connection.query("""
            UPDATE jobs SET status = 'completed', finished_at = \(now), rows_read = \(summary.rowsTotal),
                rows_total = \(summary.rowsTotal), inserted = \(summary.inserted), updated = \(summary.updated),
                unchanged = \(summary.unchanged), skipped = \(summary.skipped), deactivated = \(summary.deactivated),
                message = \(message), error_code = NULL, error_message = NULL, change_position = \(changePosition),
                deactivation_skipped = \(summary.deactivationSkipped)
            WHERE job_id = \(jobID)
            """, logger: logger).drain()
        try await connection.query("""
            UPDATE feeds SET status = 'processed' WHERE feed_id = (SELECT feed_id FROM jobs WHERE job_id = \(jobID))
            """, logger: logger).drain()
        if let job = try await job(id: jobID, connection, logger) { try await record(.jobFinished(job, at: now), connection, logger) }
        try await notify(.jobCompleted, payload: jobID, connection, logger)
    }
}
