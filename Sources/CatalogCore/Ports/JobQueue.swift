import struct Foundation.Date
import struct Foundation.TimeInterval

/// A validation job a worker holds under a lease.
public struct ClaimedJob: Sendable, Equatable {
    public var job: Job
    public var feed: Feed
    public var leaseOwner: String

    public init(job: Job, feed: Feed, leaseOwner: String) {
        self.job = job
        self.feed = feed
        self.leaseOwner = leaseOwner
    }
}

public enum JobOutcome: Sendable, Equatable {
    case completed(JobSummary, message: String)
    /// Will be retried after `retryAt`; the error is kept on the job meanwhile.
    case retry(JobFailure, retryAt: Date)
    case failed(JobFailure)
}

/// The database-backed queue of validation jobs: claims under leases that heartbeats extend,
/// so a job whose worker died is claimed again once its lease runs out.
public protocol JobQueue: Sendable {
    /// Marks a validation job runnable now. Returns the job as it is: a job already queued and
    /// requested, or running, is left alone; a finished one is queued again.
    func requestRun(jobID: String, at: Date) async throws -> Job?

    /// Claims the oldest runnable validation job (requested, or any queued one when `autoRun`),
    /// skipping partners that have a job running under a live lease.
    func claimNextJob(owner: String, now: Date, leaseFor: TimeInterval, autoRun: Bool) async throws -> ClaimedJob?

    /// Extends the lease and records progress; false when the lease was lost to another worker.
    func heartbeat(jobID: String, owner: String, rowsRead: Int64, now: Date, leaseFor: TimeInterval) async throws -> Bool

    /// Ends the attempt; ignored (false) when `owner` no longer holds the lease.
    func finish(jobID: String, owner: String, outcome: JobOutcome, now: Date) async throws -> Bool
}
