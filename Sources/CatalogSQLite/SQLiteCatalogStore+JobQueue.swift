import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: JobQueue {
    public func requestRun(jobID: String, at date: Date) async throws -> Job? {
        try await write { db in
            guard let job = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE job_id = ?", arguments: [jobID]).map(Self.job(from:))
            else { return nil }
            guard job.jobType == .validation else { return job }
            switch job.status {
            case .running:
                return job
            case .queued:
                try db.execute(sql: """
                    UPDATE jobs SET run_requested_at = coalesce(run_requested_at, ?) WHERE job_id = ?
                    """, arguments: [date, jobID])
            case .completed, .failed:
                try db.execute(sql: """
                    UPDATE jobs SET status = 'queued', run_requested_at = ?, attempts = 0, started_at = NULL,
                        finished_at = NULL, rows_read = 0, rows_total = NULL, inserted = NULL, updated = NULL,
                        unchanged = NULL, skipped = NULL, deactivated = NULL, error_code = NULL, error_message = NULL,
                        run_after = NULL, message = 'Queued for validation.'
                    WHERE job_id = ?
                    """, arguments: [date, jobID])
            }
            return try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE job_id = ?", arguments: [jobID]).map(Self.job(from:))
        }
    }

    public func claimNextJob(owner: String, now: Date, leaseFor: TimeInterval, autoRun: Bool) async throws -> ClaimedJob? {
        try await write { db in
            // A job whose worker died three times is not retried forever.
            try db.execute(sql: """
                UPDATE jobs SET status = 'failed', finished_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                    error_code = 'WORKER_LOST', error_message = 'The worker running this job stopped answering, 3 times.',
                    message = 'ETL processing failed: the worker running this job stopped answering, 3 times.'
                WHERE job_type = 'validation' AND status = 'running' AND lease_expires_at < ? AND attempts >= 3
                """, arguments: [now, now])
            guard let jobID = try String.fetchOne(db, sql: """
                UPDATE jobs SET status = 'running', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1,
                    started_at = ?, finished_at = NULL, message = 'Running.'
                WHERE seq = (
                    SELECT j.seq FROM jobs j
                    WHERE j.job_type = 'validation'
                      AND ((j.status = 'queued' AND (j.run_requested_at IS NOT NULL OR ?) AND (j.run_after IS NULL OR j.run_after <= ?))
                           OR (j.status = 'running' AND j.lease_expires_at < ?))
                      AND NOT EXISTS (
                          SELECT 1 FROM jobs r WHERE r.partner_name = j.partner_name AND r.status = 'running'
                            AND r.lease_expires_at >= ? AND r.seq != j.seq)
                    ORDER BY j.seq LIMIT 1)
                RETURNING job_id
                """, arguments: [owner, now.addingTimeInterval(leaseFor), now, autoRun, now, now, now])
            else { return nil }
            let job = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE job_id = ?", arguments: [jobID]).map(Self.job(from:))!
            try db.execute(sql: "UPDATE feeds SET status = 'processing' WHERE feed_id = ?", arguments: [job.feedID])
            return ClaimedJob(job: job, feed: try Self.feed(id: job.feedID, db)!, leaseOwner: owner)
        }
    }

    public func heartbeat(jobID: String, owner: String, rowsRead: Int64, now: Date, leaseFor: TimeInterval) async throws -> Bool {
        try await write { db in
            try db.execute(sql: """
                UPDATE jobs SET lease_expires_at = ?, rows_read = ? WHERE job_id = ? AND lease_owner = ? AND status = 'running'
                """, arguments: [now.addingTimeInterval(leaseFor), rowsRead, jobID, owner])
            return db.changesCount > 0
        }
    }

    public func finish(jobID: String, owner: String, outcome: JobOutcome, now: Date) async throws -> Bool {
        try await write { db in
            let held = "job_id = ? AND lease_owner = ? AND status = 'running'"
            let feedStatus: FeedStatus
            switch outcome {
            case .completed(let summary, let message):
                try db.execute(sql: """
                    UPDATE jobs SET status = 'completed', finished_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                        run_requested_at = NULL, run_after = NULL, rows_read = ?, rows_total = ?, inserted = ?, updated = ?,
                        unchanged = ?, skipped = ?, deactivated = ?, message = ?, error_code = NULL, error_message = NULL
                    WHERE \(held)
                    """, arguments: [
                        now, summary.rowsTotal, summary.rowsTotal, summary.inserted, summary.updated, summary.unchanged,
                        summary.skipped, summary.deactivated, message, jobID, owner,
                    ])
                feedStatus = .processed
            case .retry(let failure, let retryAt):
                try db.execute(sql: """
                    UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, run_after = ?,
                        error_code = ?, error_message = ?,
                        message = 'Attempt ' || attempts || ' failed (' || ? || '); retrying.'
                    WHERE \(held)
                    """, arguments: [retryAt, failure.code, failure.message, failure.message, jobID, owner])
                feedStatus = .processing
            case .failed(let failure):
                try db.execute(sql: """
                    UPDATE jobs SET status = 'failed', finished_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                        run_requested_at = NULL, run_after = NULL, error_code = ?, error_message = ?, message = ?
                    WHERE \(held)
                    """, arguments: [now, failure.code, failure.message, "ETL processing failed: \(failure.message)", jobID, owner])
                feedStatus = .failed
            }
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: """
                UPDATE feeds SET status = ? WHERE feed_id = (SELECT feed_id FROM jobs WHERE job_id = ?)
                """, arguments: [feedStatus.rawValue, jobID])
            return true
        }
    }
}
