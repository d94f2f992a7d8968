import struct Foundation.Date

public enum FeedType: String, Sendable, Codable, CaseIterable {
    case products
    case orders
}

public enum FeedMode: String, Sendable, Codable, CaseIterable {
    case delta
    case full
}

public enum FeedStatus: String, Sendable, Codable, CaseIterable {
    case uploaded
    case processing
    case processed
    case failed
}

public struct Feed: Sendable, Equatable {
    public var feedID: String
    public var partnerID: String
    public var partnerName: String
    public var feedType: FeedType
    public var mode: FeedMode
    public var fileName: String
    public var contentType: String
    public var sizeBytes: Int64
    public var sha256: String
    public var status: FeedStatus
    public var uploadedAt: Date
    public var submissionJobID: String
    public var validationJobID: String
    public var validationStatus: JobStatus
    public var validationMessage: String?
    public var rawFileBucket: String
    public var rawFileKey: String
    /// How the rows are written (the raw object may be gzip-compressed as well).
    public var format: FeedFormat
    /// The source that fetched it (§Sources), nil for an upload.
    public var sourceID: String?
    /// The source's mapping when it was fetched, as `SourceMapping.json`.
    public var mappingJSON: String?

    public var origin: String { sourceID == nil ? "upload" : "source" }

    public init(
        feedID: String, partnerID: String, partnerName: String, feedType: FeedType, mode: FeedMode,
        fileName: String, contentType: String, sizeBytes: Int64, sha256: String, status: FeedStatus,
        uploadedAt: Date, submissionJobID: String, validationJobID: String, validationStatus: JobStatus,
        validationMessage: String?, rawFileBucket: String, rawFileKey: String, format: FeedFormat = .csv,
        sourceID: String? = nil, mappingJSON: String? = nil
    ) {
        self.format = format
        self.sourceID = sourceID
        self.mappingJSON = mappingJSON
        self.feedID = feedID
        self.partnerID = partnerID
        self.partnerName = partnerName
        self.feedType = feedType
        self.mode = mode
        self.fileName = fileName
        self.contentType = contentType
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
        self.status = status
        self.uploadedAt = uploadedAt
        self.submissionJobID = submissionJobID
        self.validationJobID = validationJobID
        self.validationStatus = validationStatus
        self.validationMessage = validationMessage
        self.rawFileBucket = rawFileBucket
        self.rawFileKey = rawFileKey
    }
}

/// What the upload use case hands to the store once the raw object is safely stored.
public struct NewFeed: Sendable {
    public var feedID: String
    public var partnerName: String
    /// Create the partner in the same transaction if it does not exist (admin uploads).
    public var createPartnerIfMissing: Bool
    public var feedType: FeedType
    public var mode: FeedMode
    public var fileName: String
    public var contentType: String
    public var sizeBytes: Int64
    public var sha256: String
    public var uploadedAt: Date
    public var rawFileBucket: String
    public var rawFileKey: String
    public var idempotency: IdempotencyRecord?
    /// Queue the validation job's first run at once (`CATALOG_AUTO_RUN`), with `FeedValidation.task`.
    public var runValidation: Bool
    public var format: FeedFormat
    public var sourceID: String?
    public var mappingJSON: String?

    public init(
        feedID: String, partnerName: String, createPartnerIfMissing: Bool, feedType: FeedType, mode: FeedMode,
        fileName: String, contentType: String, sizeBytes: Int64, sha256: String, uploadedAt: Date,
        rawFileBucket: String, rawFileKey: String, idempotency: IdempotencyRecord?, runValidation: Bool = false,
        format: FeedFormat = .csv, sourceID: String? = nil, mappingJSON: String? = nil
    ) {
        self.format = format
        self.sourceID = sourceID
        self.mappingJSON = mappingJSON
        self.runValidation = runValidation
        self.feedID = feedID
        self.partnerName = partnerName
        self.createPartnerIfMissing = createPartnerIfMissing
        self.feedType = feedType
        self.mode = mode
        self.fileName = fileName
        self.contentType = contentType
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
        self.uploadedAt = uploadedAt
        self.rawFileBucket = rawFileBucket
        self.rawFileKey = rawFileKey
        self.idempotency = idempotency
    }
}

public struct IdempotencyRecord: Sendable, Equatable {
    public var partnerName: String
    public var key: String
    /// Digest of everything that makes two uploads "the same": content and parameters.
    public var fingerprint: String
    public var feedID: String
    public var createdAt: Date

    public init(partnerName: String, key: String, fingerprint: String, feedID: String, createdAt: Date) {
        self.partnerName = partnerName
        self.key = key
        self.fingerprint = fingerprint
        self.feedID = feedID
        self.createdAt = createdAt
    }
}

public struct FeedFilter: Sendable, Equatable {
    public var partnerName: String?
    public var status: FeedStatus?
    public var feedType: FeedType?

    public init(partnerName: String? = nil, status: FeedStatus? = nil, feedType: FeedType? = nil) {
        self.partnerName = partnerName
        self.status = status
        self.feedType = feedType
    }
}
