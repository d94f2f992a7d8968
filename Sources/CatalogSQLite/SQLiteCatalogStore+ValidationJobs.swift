import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: ValidationJobs {
    public func requestRun(jobID: String, at date: Date) async throws -> Job? {
        try await write { db in
            guard let job = try Self.job(id: jobID, db) else { return nil }
            guard job.jobType == .validation else { return job }
            let runs = try Int.fetchOne(db, sql: "SELECT runs FROM jobs WHERE job_id = ?", arguments: [jobID]) ?? 0
            switch job.status {
            case .running:
                return job
            case .queued where runs > 0:
                return job  // its task is waiting already (perhaps for a retry's backoff)
            case .queued:
                try db.execute(sql: "UPDATE jobs SET runs = 1 WHERE job_id = ?", arguments: [jobID])
            case .completed, .failed:
                try db.execute(sql: """
                    UPDATE jobs SET status = 'queued', runs = runs + 1, attempts = 0, started_at = NULL,
                        finished_at = NULL, rows_read = 0, rows_total = NULL, inserted = NULL, updated = NULL,
                        unchanged = NULL, skipped = NULL, deactivated = NULL, error_code = NULL, error_message = NULL,
                        change_position = NULL, message = 'Queued for validation.'
                    WHERE job_id = ?
                    """, arguments: [jobID])
            }
            let partnerID = try String.fetchOne(db, sql: "SELECT partner_id FROM feeds WHERE feed_id = ?", arguments: [job.feedID]) ?? ""
            _ = try Self.insert([FeedValidation.task(jobID: jobID, partnerID: partnerID, run: job.status == .queued ? 1 : runs + 1, at: date)], db)
            return try Self.job(id: jobID, db)
        }
    }

    public func startAttempt(jobID: String, lease: TaskLease, attempt: Int, now: Date) async throws -> (Job, Feed)? {
        try await write { db in
            guard try Self.holds(lease, db), let before = try Self.job(id: jobID, db) else { return nil }
            try db.execute(sql: """
                UPDATE jobs SET status = 'running', attempts = ?, started_at = ?, finished_at = NULL, rows_read = 0, message = 'Running.'
                WHERE job_id = ?
                """, arguments: [attempt, now, jobID])
            try db.execute(sql: "UPDATE feeds SET status = 'processing' WHERE feed_id = ?", arguments: [before.feedID])
            guard let feed = try Self.feed(id: before.feedID, db) else { return nil }
            // The job as the attempt found it: its error is the previous attempt's.
            return (before, feed)
        }
    }

    public func recordProgress(jobID: String, lease: TaskLease, rowsRead: Int64) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE jobs SET rows_read = ? WHERE job_id = ? AND status = 'running'", arguments: [rowsRead, jobID])
        }
    }

    public func finishAttempt(jobID: String, lease: TaskLease, _ outcome: JobOutcome, now: Date) async throws -> Bool {
        try await write { db in
            let feedStatus: FeedStatus
            switch outcome {
            case .retry(let failure, let retryAt):
                guard try Self.finish(lease, .retry(at: retryAt, error: failure.message), now: now, db) else { return false }
                try db.execute(sql: """
                    UPDATE jobs SET status = 'queued', error_code = ?, error_message = ?,
                        message = 'Attempt ' || attempts || ' failed (' || ? || '); retrying.'
                    WHERE job_id = ?
                    """, arguments: [failure.code, failure.message, failure.message, jobID])
                feedStatus = .processing
            case .failed(let failure):
                guard try Self.finish(lease, .failed(error: failure.message), now: now, db) else { return false }
                try db.execute(sql: """
                    UPDATE jobs SET status = 'failed', finished_at = ?, error_code = ?, error_message = ?, message = ?
                    WHERE job_id = ?
                    """, arguments: [now, failure.code, failure.message, "ETL processing failed: \(failure.message)", jobID])
                feedStatus = .failed
            }
            try db.execute(sql: """
                UPDATE feeds SET status = ? WHERE feed_id = (SELECT feed_id FROM jobs WHERE job_id = ?)
                """, arguments: [feedStatus.rawValue, jobID])
            if case .failed = outcome, let job = try Self.job(id: jobID, db) { try Self.record(.jobFinished(job, at: now), db) }
            return true
        }
    }

    /// The end of a completed attempt, inside its merge's transaction: throws `TaskLeaseLost` (rolling
    /// the merge back) when the lease is no longer held.
    static func complete(
        jobID: String, _ completion: AttemptCompletion, _ counts: MergeCounts, changePosition: Int64?, _ db: Database
    ) throws {
        let now = completion.finishedAt()
        guard try finish(completion.lease, .completed, now: now, db) else { throw TaskLeaseLost(completion.lease) }
        let (summary, message) = completion.describe(counts)
        try db.execute(sql: """
            UPDATE jobs SET status = 'completed', finished_at = ?, rows_read = ?, rows_total = ?, inserted = ?, updated = ?,
                unchanged = ?, skipped = ?, deactivated = ?, message = ?, error_code = NULL, error_message = NULL,
                change_position = ?, deactivation_skipped = ?
            WHERE job_id = ?
            """, arguments: [
                now, summary.rowsTotal, summary.rowsTotal, summary.inserted, summary.updated, summary.unchanged,
                summary.skipped, summary.deactivated, message, changePosition, summary.deactivationSkipped, jobID,
            ])
        try db.execute(sql: """
            UPDATE feeds SET status = 'processed' WHERE feed_id = (SELECT feed_id FROM jobs WHERE job_id = ?)
            """, arguments: [jobID])
        if let job = try job(id: jobID, db) { try record(.jobFinished(job, at: now), db) }
    }

    static func job(id: String, _ db: Database) throws -> Job? {
        try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE job_id = ?", arguments: [id]).map(Self.job(from:))
    }
}
