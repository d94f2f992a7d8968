import CatalogCore
import Foundation

/// Where and how to reach an S3-compatible store. Requests are path-style: ENDPOINT/BUCKET/KEY.
public struct S3Configuration: Sendable {
    public var endpoint: String
    public var region: String
    public var bucket: String
    public var accessKeyID: String
    public var secretAccessKey: String
    /// Objects up to this size go up in one PUT at commit; larger ones as a multipart upload in parts of this size.
    public var partSize = 8 << 20
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
        guard partSize >= 5 << 20 else { throw ObjectStoreError.unavailable("S3 parts must be at least 5 MiB") }
        guard attempts >= 1, threads >= 1 else { throw ObjectStoreError.unavailable("attempts and threads must be at least 1") }
    }

    private static func trimmed(_ endpoint: String) -> String {
        var endpoint = endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        return endpoint
    }
}
