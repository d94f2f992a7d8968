import CatalogCore
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalogStore: JobQueue {
    /// Serialises claims across processes, so that two workers never start jobs of one partner together
    /// (row locks alone cannot see a claim another transaction has not committed yet).
    static let claimLock: Int64 = 0x7061_7274_6e65_7202

    public func requestRun(jobID: String, at date: Date) async throws -> Job? {
        try await transaction { connection in
            let logger = self.logger
            guard let job = try await connection.query("SELECT * FROM jobs WHERE job_id = \(jobID) FOR UPDATE", logger: logger)
                .first().map(Self.job(from:))
            else { return nil }
            guard job.jobType == .validation else { return job }
            switch job.status {
            case .running:
                return job
            case .queued:
                try await connection.query("""
                    UPDATE jobs SET run_requested_at = coalesce(run_requested_at, \(date)) WHERE job_id = \(jobID)
                    """, logger: logger).drain()
            case .completed, .failed:
                try await connection.query("""
                    UPDATE jobs SET status = 'queued', run_requested_at = \(date), attempts = 0, started_at = NULL,
                        finished_at = NULL, rows_read = 0, rows_total = NULL, inserted = NULL, updated = NULL,
                        unchanged = NULL, skipped = NULL, deactivated = NULL, error_code = NULL, error_message = NULL,
                        run_after = NULL, message = 'Queued for validation.'
                    WHERE job_id = \(jobID)
                    """, logger: logger).drain()
            }
            try await Self.notify(.jobQueued, payload: jobID, connection, logger)
            return try await Self.job(id: jobID, connection, logger)
        }
    }

    public func claimNextJob(owner: String, now: Date, leaseFor: TimeInterval, autoRun: Bool) async throws -> ClaimedJob? {
        try await transaction { connection in
            let logger = self.logger
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.claimLock))", logger: logger).drain()
            // A job whose worker died three times is not retried forever.
            try await connection.query("""
                UPDATE jobs SET status = 'failed', finished_at = \(now), lease_owner = NULL, lease_expires_at = NULL,
                    error_code = 'WORKER_LOST', error_message = 'The worker running this job stopped answering, 3 times.',
                    message = 'ETL processing failed: the worker running this job stopped answering, 3 times.'
                WHERE job_type = 'validation' AND status = 'running' AND lease_expires_at < \(now) AND attempts >= 3
                """, logger: logger).drain()
            let expires = now.addingTimeInterval(leaseFor)
            guard let jobID = try await connection.query("""
                WITH candidate AS (
                    SELECT j.seq FROM jobs j
                    WHERE j.job_type = 'validation'
                      AND ((j.status = 'queued' AND (j.run_requested_at IS NOT NULL OR \(autoRun))
                            AND (j.run_after IS NULL OR j.run_after <= \(now)))
                           OR (j.status = 'running' AND j.lease_expires_at < \(now)))
                      AND NOT EXISTS (
                          SELECT 1 FROM jobs r WHERE r.partner_name = j.partner_name AND r.status = 'running'
                            AND r.lease_expires_at >= \(now) AND r.seq <> j.seq)
                    ORDER BY j.seq LIMIT 1
                    FOR UPDATE SKIP LOCKED)
                UPDATE jobs SET status = 'running', lease_owner = \(owner), lease_expires_at = \(expires),
                    attempts = attempts + 1, started_at = \(now), finished_at = NULL, message = 'Running.'
                FROM candidate WHERE jobs.seq = candidate.seq
                RETURNING jobs.job_id
                """, logger: logger).one(String.self)
            else { return nil }
            guard let job = try await Self.job(id: jobID, connection, logger) else {
                throw CatalogError(.internal, "The claimed job \(jobID) vanished.")
            }
            try await connection.query("UPDATE feeds SET status = 'processing' WHERE feed_id = \(job.feedID)", logger: logger).drain()
            guard let feed = try await Self.feed(id: job.feedID, connection, logger) else {
                throw CatalogError(.internal, "The feed \(job.feedID) of job \(jobID) vanished.")
            }
            return ClaimedJob(job: job, feed: feed, leaseOwner: owner)
        }
    }

    public func heartbeat(jobID: String, owner: String, rowsRead: Int64, now: Date, leaseFor: TimeInterval) async throws -> Bool {
        try await withConnection { connection in
            let updated = try await connection.query("""
                UPDATE jobs SET lease_expires_at = \(now.addingTimeInterval(leaseFor)), rows_read = \(rowsRead)
                WHERE job_id = \(jobID) AND lease_owner = \(owner) AND status = 'running'
                RETURNING 1
                """, logger: self.logger).one(Int.self)
            return updated != nil
        }
    }

    public func finish(jobID: String, owner: String, outcome: JobOutcome, now: Date) async throws -> Bool {
        try await transaction { connection in
            let logger = self.logger
            let held: Int?
            let feedStatus: FeedStatus
            switch outcome {
            case .completed(let summary, let message):
                held = try await connection.query("""
                    UPDATE jobs SET status = 'completed', finished_at = \(now), lease_owner = NULL, lease_expires_at = NULL,
                        run_requested_at = NULL, run_after = NULL, rows_read = \(summary.rowsTotal), rows_total = \(summary.rowsTotal),
                        inserted = \(summary.inserted), updated = \(summary.updated), unchanged = \(summary.unchanged),
                        skipped = \(summary.skipped), deactivated = \(summary.deactivated), message = \(message),
                        error_code = NULL, error_message = NULL
                    WHERE job_id = \(jobID) AND lease_owner = \(owner) AND status = 'running'
                    RETURNING 1
                    """, logger: logger).one(Int.self)
                feedStatus = .processed
            case .retry(let failure, let retryAt):
                held = try await connection.query("""
                    UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, run_after = \(retryAt),
                        error_code = \(failure.code), error_message = \(failure.message),
                        message = 'Attempt ' || attempts || ' failed (' || \(failure.message) || '); retrying.'
                    WHERE job_id = \(jobID) AND lease_owner = \(owner) AND status = 'running'
                    RETURNING 1
                    """, logger: logger).one(Int.self)
                feedStatus = .processing
            case .failed(let failure):
                held = try await connection.query("""
                    UPDATE jobs SET status = 'failed', finished_at = \(now), lease_owner = NULL, lease_expires_at = NULL,
                        run_requested_at = NULL, run_after = NULL, error_code = \(failure.code),
                        error_message = \(failure.message), message = \("ETL processing failed: \(failure.message)")
                    WHERE job_id = \(jobID) AND lease_owner = \(owner) AND status = 'running'
                    RETURNING 1
                    """, logger: logger).one(Int.self)
                feedStatus = .failed
            }
            guard held != nil else { return false }
            try await connection.query("""
                UPDATE feeds SET status = \(feedStatus.rawValue) WHERE feed_id = (SELECT feed_id FROM jobs WHERE job_id = \(jobID))
                """, logger: logger).drain()
            if case .completed = outcome {
                try await Self.notify(.jobCompleted, payload: jobID, connection, logger)
            }
            return true
        }
    }
}
