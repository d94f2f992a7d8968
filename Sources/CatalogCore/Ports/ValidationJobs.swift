import struct Foundation.Date

public enum JobOutcome: Sendable, Equatable {
    /// Will be retried after `retryAt`; the error is kept on the job meanwhile.
    case retry(JobFailure, retryAt: Date)
    case failed(JobFailure)
}

/// The user-visible side of validation jobs, whose runs are `TaskKind.validateFeed` tasks on the
/// `TaskQueue`. Each method changes the job, its feed and its task in one transaction. A completed
/// attempt is recorded by the merge itself (`ProductLoader.merge`, `OrderLoader.mergeOrderLines`),
/// with the changes it makes.
public protocol ValidationJobs: Sendable {
    /// `POST /jobs/{id}/run`: a finished job is queued again, with a new task; a queued job gets its
    /// task if it has none yet (no auto-run at upload); a running one is left alone. Returns the job
    /// as it then is. The task comes from `FeedValidation.task`.
    func requestRun(jobID: String, at: Date) async throws -> Job?

    /// An attempt starts: the job shows `running` with the attempt's number, its feed `processing`.
    /// Nil when the lease is no longer held or the job is gone.
    func startAttempt(jobID: String, lease: TaskLease, attempt: Int, now: Date) async throws -> (Job, Feed)?

    /// Rows read so far, shown on the running job.
    func recordProgress(jobID: String, lease: TaskLease, rowsRead: Int64) async throws

    /// Ends an attempt that did not complete, with its task; false when the lease was no longer held.
    func finishAttempt(jobID: String, lease: TaskLease, _ outcome: JobOutcome, now: Date) async throws -> Bool
}

/// What the last transaction of a completed attempt records beside its changes: the job completed
/// with its summary, the feed processed and the task completed, if `lease` is still held (else the
/// store throws `TaskLeaseLost` and commits nothing).
public struct AttemptCompletion: Sendable {
    public var lease: TaskLease
    /// The job's summary and message from the merge's counts.
    public var describe: @Sendable (MergeCounts) -> (JobSummary, String)
    /// The job's `finished_at`: read when the end is recorded, after the merge's work (which may take long).
    public var finishedAt: @Sendable () -> Date

    public init(
        lease: TaskLease, finishedAt: @escaping @Sendable () -> Date = { Date() },
        describe: @escaping @Sendable (MergeCounts) -> (JobSummary, String)
    ) {
        self.lease = lease
        self.finishedAt = finishedAt
        self.describe = describe
    }
}
