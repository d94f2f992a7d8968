import struct Foundation.Date

public enum SourceKind: String, Sendable, Codable, CaseIterable {
    /// One URL serving a CSV, TSV, JSON array or NDJSON file, optionally gzip.
    case file
    /// A paginated JSON API.
    case api
}

public enum SourceStatus: String, Sendable, Codable, CaseIterable {
    case active
    case paused
}

public enum FetchStatus: String, Sendable, Codable, CaseIterable {
    case queued
    case running
    case fetched
    case notModified = "not_modified"
    case failed

    public var isFinished: Bool { self == .fetched || self == .notModified || self == .failed }
}

public enum FetchTrigger: String, Sendable, Codable, CaseIterable {
    case schedule
    case manual
}

/// A vendor's file or API that the service pulls a partner's data from (§Sources). Its credentials are
/// not part of it: they are sealed in the store and opened only by the fetcher.
public struct Source: Sendable, Equatable {
    public var sourceID: String
    public var partnerName: String
    public var settings: SourceSettings
    public var status: SourceStatus
    public var nextFetchAt: Date?
    public var lastFetch: SourceFetch?
    /// Scheduled fetches that failed in a row since the last one that did not.
    public var failuresInARow: Int
    public var createdAt: Date

    public init(
        sourceID: String, partnerName: String, settings: SourceSettings, status: SourceStatus, nextFetchAt: Date?,
        lastFetch: SourceFetch?, failuresInARow: Int, createdAt: Date
    ) {
        self.sourceID = sourceID
        self.partnerName = partnerName
        self.settings = settings
        self.status = status
        self.nextFetchAt = nextFetchAt
        self.lastFetch = lastFetch
        self.failuresInARow = failuresInARow
        self.createdAt = createdAt
    }
}

/// What a source's owner sets (everything but its identity and state).
public struct SourceSettings: Sendable, Equatable {
    public var name: String
    public var kind: SourceKind
    public var url: String
    public var format: FeedFormat?
    public var feedType: FeedType
    public var mode: FeedMode
    public var schedule: SourceSchedule?
    /// The credentials with their secrets masked, as responses show them.
    public var maskedAuth: SourceAuth?
    public var mapping: SourceMapping?
    public var api: SourceAPI?
    public var maxRequestsPerMinute: Int

    public init(
        name: String, kind: SourceKind, url: String, format: FeedFormat?, feedType: FeedType, mode: FeedMode,
        schedule: SourceSchedule?, maskedAuth: SourceAuth?, mapping: SourceMapping?, api: SourceAPI?, maxRequestsPerMinute: Int
    ) {
        self.name = name
        self.kind = kind
        self.url = url
        self.format = format
        self.feedType = feedType
        self.mode = mode
        self.schedule = schedule
        self.maskedAuth = maskedAuth
        self.mapping = mapping
        self.api = api
        self.maxRequestsPerMinute = maxRequestsPerMinute
    }
}

/// One fetch of a source, scheduled or asked for (`POST /sources/{id}/fetch`).
public struct SourceFetch: Sendable, Equatable {
    public var fetchID: String
    public var sourceID: String
    public var status: FetchStatus
    public var trigger: FetchTrigger
    public var httpStatus: Int?
    public var pages: Int
    public var bytes: Int64
    public var feedID: String?
    public var error: String?
    public var startedAt: Date?
    public var finishedAt: Date?
    public var createdAt: Date

    public init(
        fetchID: String, sourceID: String, status: FetchStatus, trigger: FetchTrigger, httpStatus: Int?, pages: Int, bytes: Int64,
        feedID: String?, error: String?, startedAt: Date?, finishedAt: Date?, createdAt: Date
    ) {
        self.fetchID = fetchID
        self.sourceID = sourceID
        self.status = status
        self.trigger = trigger
        self.httpStatus = httpStatus
        self.pages = pages
        self.bytes = bytes
        self.feedID = feedID
        self.error = error
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.createdAt = createdAt
    }
}

/// A source to store: its settings, its credentials sealed (`SecretBox`), and its first scheduled fetch.
public struct NewSource: Sendable {
    public var partnerName: String
    public var settings: SourceSettings
    public var sealedAuth: String?
    public var nextFetchAt: Date?
    public var createdAt: Date

    public init(partnerName: String, settings: SourceSettings, sealedAuth: String?, nextFetchAt: Date?, createdAt: Date) {
        self.partnerName = partnerName
        self.settings = settings
        self.sealedAuth = sealedAuth
        self.nextFetchAt = nextFetchAt
        self.createdAt = createdAt
    }
}

/// A `PATCH`: the whole new settings (the service merges the request into the stored ones), the
/// credentials when they changed, and the status and next fetch that follow.
public struct SourceUpdate: Sendable {
    public var settings: SourceSettings
    /// nil: unchanged; `.some(nil)`: removed.
    public var sealedAuth: String??
    public var status: SourceStatus
    public var nextFetchAt: Date?

    public init(settings: SourceSettings, sealedAuth: String??, status: SourceStatus, nextFetchAt: Date?) {
        self.settings = settings
        self.sealedAuth = sealedAuth
        self.status = status
        self.nextFetchAt = nextFetchAt
    }
}

/// What the fetcher needs beyond the source: its sealed credentials and what the last fetch saw.
public struct FetchContext: Sendable {
    public var source: Source
    public var sealedAuth: String?
    public var etag: String?
    public var lastModified: String?
    /// The SHA-256 of the last fetched feed's bytes.
    public var lastSHA256: String?

    public init(source: Source, sealedAuth: String?, etag: String?, lastModified: String?, lastSHA256: String?) {
        self.source = source
        self.sealedAuth = sealedAuth
        self.etag = etag
        self.lastModified = lastModified
        self.lastSHA256 = lastSHA256
    }
}

/// How a fetch ended, as the store records it with the source's new state and its event.
public struct FetchResult: Sendable {
    public var status: FetchStatus
    public var httpStatus: Int?
    public var pages: Int
    public var bytes: Int64
    public var feedID: String?
    public var error: String?
    /// Validators to send next time (kept from before when nil).
    public var etag: String?
    public var lastModified: String?
    public var sha256: String?

    public init(
        status: FetchStatus, httpStatus: Int?, pages: Int, bytes: Int64, feedID: String? = nil, error: String? = nil,
        etag: String? = nil, lastModified: String? = nil, sha256: String? = nil
    ) {
        self.status = status
        self.httpStatus = httpStatus
        self.pages = pages
        self.bytes = bytes
        self.feedID = feedID
        self.error = error
        self.etag = etag
        self.lastModified = lastModified
        self.sha256 = sha256
    }
}
