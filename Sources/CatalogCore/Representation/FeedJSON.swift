import Foundation

/// The feed object of §Feeds, as every endpoint and event shows it.
public struct FeedJSON: Encodable {
    var feed: Feed

    public init(_ feed: Feed) { self.feed = feed }

    enum CodingKeys: String, CodingKey {
        case feedID = "feed_id", partnerID = "partner_id", partnerName = "partner_name", feedType = "feed_type", mode
        case fileName = "file_name", contentType = "content_type", sizeBytes = "size_bytes", sha256, status
        case uploadedAt = "uploaded_at", jobID = "job_id", validationJobID = "validation_job_id"
        case validationStatus = "validation_status", validationMessage = "validation_message"
        case rawFileBucket = "raw_file_bucket", rawFileS3Key = "raw_file_s3_key", format, origin
        case sourceID = "source_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(feed.feedID, forKey: .feedID)
        try c.encode(feed.partnerID, forKey: .partnerID)
        try c.encode(feed.partnerName, forKey: .partnerName)
        try c.encode(feed.feedType.rawValue, forKey: .feedType)
        try c.encode(feed.mode.rawValue, forKey: .mode)
        try c.encode(feed.fileName, forKey: .fileName)
        try c.encode(feed.contentType, forKey: .contentType)
        try c.encode(feed.format.rawValue, forKey: .format)
        try c.encode(feed.sizeBytes, forKey: .sizeBytes)
        try c.encode(feed.sha256, forKey: .sha256)
        try c.encode(feed.status.rawValue, forKey: .status)
        try c.encode(feed.uploadedAt, forKey: .uploadedAt)
        try c.encode(feed.submissionJobID, forKey: .jobID)
        try c.encode(feed.validationJobID, forKey: .validationJobID)
        try c.encode(feed.validationStatus.rawValue, forKey: .validationStatus)
        try c.encode(feed.validationMessage, forKey: .validationMessage)
        try c.encode(feed.rawFileBucket, forKey: .rawFileBucket)
        try c.encode(feed.rawFileKey, forKey: .rawFileS3Key)
        try c.encode(feed.origin, forKey: .origin)
        try c.encode(feed.sourceID, forKey: .sourceID)
    }
}
