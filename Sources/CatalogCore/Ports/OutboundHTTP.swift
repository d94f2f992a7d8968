import struct Foundation.TimeInterval
import NIOCore

/// One outbound HTTP exchange (webhook deliveries, vendor sources): sent by the libcurl adapter, off
/// the event loop.
public struct OutboundRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The whole exchange, connect included.
    public var timeout: TimeInterval
    /// The response body is read up to this many bytes, the rest ignored.
    public var maxResponseBytes: Int
    /// Loopback, private, link-local and cloud-metadata addresses may be called (`CATALOG_ALLOW_PRIVATE_TARGETS`).
    public var allowPrivateTargets: Bool

    public init(
        method: String, url: String, headers: [(String, String)], body: [UInt8], timeout: TimeInterval, maxResponseBytes: Int,
        allowPrivateTargets: Bool
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.allowPrivateTargets = allowPrivateTargets
    }
}

public struct OutboundResponse: Sendable, Equatable {
    public var status: Int
    /// Lower-cased names.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

public enum OutboundFailure: Error, Sendable, Equatable {
    /// The host resolved to an address the target policy refuses; nothing was sent.
    case refusedTarget(String)
    /// No HTTP answer: DNS, connection, timeout, TLS.
    case transport(String)
}

public protocol OutboundHTTP: Sendable {
    func send(_ request: OutboundRequest) async throws -> OutboundResponse

    /// Hands a 2xx answer's headers (lower-cased names) to `head`, then its body to `body` chunk by chunk
    /// as it arrives (never whole in memory); any other answer's body is collected up to
    /// `maxResponseBytes`. Returns the answer with its headers (and an empty body when it was
    /// streamed). A transfer that breaks off throws `.transport`.
    func stream(
        _ request: OutboundRequest, head: ([String: String]) async throws -> Void, into body: (ByteBuffer) async throws -> Void
    ) async throws -> OutboundResponse
}
