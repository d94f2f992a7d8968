import Logging

/// The fields that every job-transition log line carries: `job_id`, `feed_id`, `partner`, `kind`
/// (the job type) and, when the feed is at hand, `feed_type` and `mode`.
public enum JobLog {
    /// Where transition lines go when the caller has no logger of its own.
    public static var defaultLogger: Logger { Logger(label: "partner-catalog.jobs") }

    public static func metadata(_ job: Job) -> Logger.Metadata {
        ["job_id": .string(job.jobID), "feed_id": .string(job.feedID), "partner": .string(job.partnerName),
         "kind": .string(job.jobType.rawValue)]
    }

    /// For the validation job of `feed`.
    public static func metadata(validationOf feed: Feed) -> Logger.Metadata {
        ["job_id": .string(feed.validationJobID), "feed_id": .string(feed.feedID), "partner": .string(feed.partnerName),
         "kind": .string(JobType.validation.rawValue), "feed_type": .string(feed.feedType.rawValue),
         "mode": .string(feed.mode.rawValue)]
    }

    /// `logger` with `metadata` attached, for every line about one job.
    public static func logger(_ logger: Logger, _ metadata: Logger.Metadata) -> Logger {
        var logger = logger
        for (key, value) in metadata { logger[metadataKey: key] = value }
        return logger
    }

    /// A job summary's counts, as numbers.
    public static func metadata(_ summary: JobSummary) -> Logger.Metadata {
        ["rows_total": .stringConvertible(summary.rowsTotal), "inserted": .stringConvertible(summary.inserted),
         "updated": .stringConvertible(summary.updated), "unchanged": .stringConvertible(summary.unchanged),
         "skipped": .stringConvertible(summary.skipped), "deactivated": .stringConvertible(summary.deactivated)]
    }
}
