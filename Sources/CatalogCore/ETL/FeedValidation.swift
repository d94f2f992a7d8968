import Foundation

/// Validation jobs as tasks of the one queue.
public enum FeedValidation {
    public static let maxAttempts = 3

    struct Payload: Codable {
        var job_id: String
    }

    /// The task of a job's `run`-th run (1 for the first): one per run (its unique key), and one at a
    /// time per partner (its serial key), so that a partner's feeds load in order.
    public static func task(jobID: String, partnerID: String, run: Int, at date: Date) -> NewTask {
        let payload = String(decoding: try! JSONEncoder().encode(Payload(job_id: jobID)), as: UTF8.self)
        return NewTask(kind: .validateFeed, payload: payload, runAt: date, uniqueKey: "\(jobID)#\(run)", serialKey: partnerID)
    }

    public static func jobID(of task: ClaimedTask) throws -> String {
        do {
            return try JSONDecoder().decode(Payload.self, from: Data(task.payload.utf8)).job_id
        } catch {
            throw TaskFailure.permanent("INTERNAL", "The task's payload names no job.")
        }
    }

    static func summary(_ counts: MergeCounts, skipped: Int64, feed: Feed) -> (JobSummary, String) {
        var summary = JobSummary()
        summary.inserted = counts.inserted
        summary.updated = counts.updated
        summary.unchanged = counts.unchanged
        // Duplicates that the store found itself while merging are skipped rows too.
        summary.skipped = skipped + counts.duplicates
        summary.deactivated = counts.deactivated
        summary.rowsTotal = counts.inserted + counts.updated + counts.unchanged + summary.skipped
        return (summary, message(summary, feed: feed))
    }

    static func message(_ summary: JobSummary, feed: Feed) -> String {
        let what = feed.feedType == .products ? "Products" : "Order lines"
        var message = "ETL processing completed. \(what) processed: \(summary.rowsTotal). Inserted: \(summary.inserted). "
            + "Updated: \(summary.updated). Unchanged: \(summary.unchanged). Skipped: \(summary.skipped)."
        if feed.mode == .full { message += " Deactivated: \(summary.deactivated)." }
        return message
    }
}
