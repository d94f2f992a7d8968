import Foundation

/// The job object of §Jobs, as every endpoint and event shows it.
public struct JobJSON: Encodable {
    var job: Job

    public init(_ job: Job) { self.job = job }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id", jobType = "job_type", feedID = "feed_id", partnerName = "partner_name", status, attempts
        case createdAt = "created_at", startedAt = "started_at", finishedAt = "finished_at", progress, summary, message, error
        case deactivationSkipped = "deactivation_skipped"
    }

    enum ProgressKeys: String, CodingKey { case rowsRead = "rows_read" }

    enum SummaryKeys: String, CodingKey {
        case rowsTotal = "rows_total", inserted, updated, unchanged, skipped, deactivated
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(job.jobID, forKey: .jobID)
        try c.encode(job.jobType.rawValue, forKey: .jobType)
        try c.encode(job.feedID, forKey: .feedID)
        try c.encode(job.partnerName, forKey: .partnerName)
        try c.encode(job.status.rawValue, forKey: .status)
        try c.encode(job.attempts, forKey: .attempts)
        try c.encode(job.createdAt, forKey: .createdAt)
        try c.encode(job.startedAt, forKey: .startedAt)
        try c.encode(job.finishedAt, forKey: .finishedAt)
        var progress = c.nestedContainer(keyedBy: ProgressKeys.self, forKey: .progress)
        try progress.encode(job.rowsRead, forKey: .rowsRead)
        if let summary = job.summary {
            var s = c.nestedContainer(keyedBy: SummaryKeys.self, forKey: .summary)
            try s.encode(summary.rowsTotal, forKey: .rowsTotal)
            try s.encode(summary.inserted, forKey: .inserted)
            try s.encode(summary.updated, forKey: .updated)
            try s.encode(summary.unchanged, forKey: .unchanged)
            try s.encode(summary.skipped, forKey: .skipped)
            try s.encode(summary.deactivated, forKey: .deactivated)
            if summary.deactivationSkipped { try c.encode(true, forKey: .deactivationSkipped) }
        } else {
            try c.encodeNil(forKey: .summary)
        }
        try c.encode(job.message, forKey: .message)
        try c.encode(job.error, forKey: .error)
    }
}
