import struct Foundation.Date

public enum JobType: String, Sendable, Codable, CaseIterable {
    case submission
    case validation
}

public enum JobStatus: String, Sendable, Codable, CaseIterable {
    case queued
    case running
    case completed
    case failed
}

public struct JobSummary: Sendable, Equatable, Codable {
    public var rowsTotal: Int64 = 0
    public var inserted: Int64 = 0
    public var updated: Int64 = 0
    public var unchanged: Int64 = 0
    public var skipped: Int64 = 0
    public var deactivated: Int64 = 0
    /// A source's `full` feed had fewer than half as many valid rows as the partner has active
    /// products, so nothing was deactivated (§Sources).
    public var deactivationSkipped = false

    public init() {}
}

public struct JobFailure: Sendable, Equatable, Codable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

public struct Job: Sendable, Equatable {
    public var jobID: String
    public var jobType: JobType
    public var feedID: String
    public var partnerName: String
    public var status: JobStatus
    public var attempts: Int
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var rowsRead: Int64
    public var summary: JobSummary?
    public var message: String?
    public var error: JobFailure?
    /// Where the completed job's product changes stand in the change feed (nil: it changed none).
    public var changePosition: Int64?

    public init(
        jobID: String, jobType: JobType, feedID: String, partnerName: String, status: JobStatus, attempts: Int,
        createdAt: Date, startedAt: Date?, finishedAt: Date?, rowsRead: Int64, summary: JobSummary?,
        message: String?, error: JobFailure?, changePosition: Int64? = nil
    ) {
        self.changePosition = changePosition
        self.jobID = jobID
        self.jobType = jobType
        self.feedID = feedID
        self.partnerName = partnerName
        self.status = status
        self.attempts = attempts
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.rowsRead = rowsRead
        self.summary = summary
        self.message = message
        self.error = error
    }
}

public struct JobFilter: Sendable, Equatable {
    public var status: JobStatus?
    public var jobType: JobType?
    public var feedID: String?
    public var partnerName: String?

    public init(status: JobStatus? = nil, jobType: JobType? = nil, feedID: String? = nil, partnerName: String? = nil) {
        self.status = status
        self.jobType = jobType
        self.feedID = feedID
        self.partnerName = partnerName
    }
}
