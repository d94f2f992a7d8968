import CatalogCore
import Foundation

/// Where and how to reach an S3-compatible store. Requests are path-style: ENDPOINT/BUCKET/KEY.
public struct S3Configuration: Sendable {
    public var endpoint: String
    public var region: String
    public var bucket: String
    public var accessKeyID: String
    public var secretAccessKey: String
    /// S3's limit for one PUT.
    public static let maxSinglePutBytes: Int64 = 5 << 30
    public static let defaultMultipartThreshold: Int64 = 512 << 20
    /// An object is spooled to disk while it is written, then sent at commit: up to this size in one PUT,
    /// larger ones as a multipart upload in parts of `partSize`, `partConcurrency` at a time.
    public var multipartThreshold: Int64 = S3Configuration.defaultMultipartThreshold
    public var partSize = 8 << 20
    public var partConcurrency = 4
    /// Where objects are spooled before they are sent (the files are unlinked at once, so nothing stays).
    public var spoolDirectory = FileManager.default.temporaryDirectory.path
    /// Attempts for connection failures, timeouts and 5xx answers, with exponential backoff from `retryBaseDelay`.
    public var attempts = 3
    public var retryBaseDelay: Duration = .milliseconds(200)
    public var connectTimeout: Duration = .seconds(5)
    /// A transfer that moves no byte for this long is abandoned (and retried).
    public var stallTimeout: Duration = .seconds(30)
    /// Threads that run blocking curl transfers; a streamed read holds one until it is read or dropped.
    public var threads = 16

    public init(endpoint: String? = nil, region: String = "us-east-1", bucket: String, accessKeyID: String, secretAccessKey: String) {
        self.region = region
        self.endpoint = Self.trimmed(endpoint ?? "https://s3.\(region).amazonaws.com")
        self.bucket = bucket
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }

    /// A bucket as S3 names them: 3–63 lower-case letters, digits, dots and hyphens.
    public static func isValidBucketName(_ name: String) -> Bool {
        let characters = Array(name.utf8)
        guard (3...63).contains(characters.count) else { return false }
        let allowed = { (c: UInt8) in (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x2D }
        let alphanumeric = { (c: UInt8) in allowed(c) && c != 0x2E && c != 0x2D }
        return characters.allSatisfy(allowed) && alphanumeric(characters[0]) && alphanumeric(characters[characters.count - 1])
    }

    /// Throws a message naming what is wrong.
    func validate() throws {
        guard Self.isValidBucketName(bucket) else {
            throw ObjectStoreError.unavailable("'\(bucket)' is not a valid S3 bucket name (3–63 of a-z, 0-9, '.', '-')")
        }
        guard let url = URLComponents(string: endpoint), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false,
              url.query == nil
        else {
            throw ObjectStoreError.unavailable("the S3 endpoint '\(endpoint)' is not an http(s) URL")
        }
        guard !region.isEmpty, region.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw ObjectStoreError.unavailable("'\(region)' is not an S3 region name")
        }
        guard !accessKeyID.isEmpty, !secretAccessKey.isEmpty else {
            throw ObjectStoreError.unavailable("S3 credentials are missing (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)")
        }
        guard partSize >= 5 << 20, partSize <= Self.maxSinglePutBytes else {
            throw ObjectStoreError.unavailable("S3 parts must be from 5 MiB to 5 GiB")
        }
        guard (0...Self.maxSinglePutBytes).contains(multipartThreshold) else {
            throw ObjectStoreError.unavailable(
                "the multipart threshold must be from 0 to \(Self.maxSinglePutBytes) bytes (5 GiB, S3's limit for one PUT)")
        }
        guard attempts >= 1, threads >= 1, partConcurrency >= 1 else {
            throw ObjectStoreError.unavailable("attempts, threads and part concurrency must be at least 1")
        }
        guard !spoolDirectory.isEmpty else { throw ObjectStoreError.unavailable("the S3 spool directory is empty") }
    }

    private static func trimmed(_ endpoint: String) -> String {
        var endpoint = endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        return endpoint
    }
}
