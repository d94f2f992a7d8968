/// What a client said about an upload, as received (validated by the use case).
public struct UploadRequest: Sendable {
    public var partnerName: String?
    public var feedType: String?
    public var mode: String?
    public var fileName: String?
    public var idempotencyKey: String?
    /// The body's announced length, when known, to refuse oversized uploads before reading them.
    public var declaredLength: Int64?
    /// The body's (or the file part's) `Content-Type`: with the file name's extension, it names the format.
    public var contentType: String?

    public init(
        partnerName: String? = nil, feedType: String? = nil, mode: String? = nil, fileName: String? = nil,
        idempotencyKey: String? = nil, declaredLength: Int64? = nil, contentType: String? = nil
    ) {
        self.contentType = contentType
        self.partnerName = partnerName
        self.feedType = feedType
        self.mode = mode
        self.fileName = fileName
        self.idempotencyKey = idempotencyKey
        self.declaredLength = declaredLength
    }
}

public enum UploadOutcome: Sendable {
    case created(Feed)
    /// An earlier upload with the same idempotency key and content.
    case replayed(Feed)

    public var feed: Feed {
        switch self {
        case .created(let feed), .replayed(let feed): feed
        }
    }
}
