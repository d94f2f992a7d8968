import CatalogCurl
import CatalogCore
import Crypto
import NIOCore
import NIOPosix

/// Signed requests to one bucket. Transfers block a thread of `pool`, never the event loop or the
/// cooperative pool; connection failures, timeouts and 5xx answers are retried with backoff.
final class S3Client: Sendable {
    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    let configuration: S3Configuration
    private let settings: CurlSettings
    private let pool: NIOThreadPool
    private let handles: CurlHandlePool

    init(configuration: S3Configuration, pool: NIOThreadPool) {
        self.configuration = configuration
        self.pool = pool
        self.handles = CurlHandlePool(maxIdle: configuration.threads)
        self.settings = CurlSettings(
            sigV4: "aws:amz:\(configuration.region):s3", accessKeyID: configuration.accessKeyID,
            secretAccessKey: configuration.secretAccessKey,
            connectTimeoutMilliseconds: Int(configuration.connectTimeout.components.seconds * 1000
                + configuration.connectTimeout.components.attoseconds / 1_000_000_000_000_000),
            stallSeconds: max(1, Int(configuration.stallTimeout.components.seconds)))
    }

    var bucket: String { configuration.bucket }

    /// ENDPOINT/BUCKET[/KEY][?QUERY]. The query must already be sorted: curl 7.88 signs it as written.
    func url(key: S3Key?, query: String? = nil) -> String {
        var url = configuration.endpoint + "/" + configuration.bucket
        if let key { url += "/" + key.path }
        if let query { url += "?" + query }
        return url
    }

    /// The headers every request carries: the payload's SHA-256 (curl signs it but does not compute it)
    /// and, for bodies, a content type (curl's form default would make some servers drop the body).
    func request(
        _ method: CurlRequest.Method, _ url: String, body: ByteBuffer = ByteBuffer(), sha256: String? = nil,
        contentType: String? = nil, headers extra: [String] = []
    ) -> CurlRequest {
        var headers = ["x-amz-content-sha256: \(sha256 ?? (body.readableBytes == 0 ? Self.emptySHA256 : Self.sha256(body)))"]
        if let contentType { headers.append("Content-Type: \(contentType)") }
        return CurlRequest(method: method, url: url, headers: headers + extra, body: body)
    }

    /// A request whose body is a range of a spool file, with that range's SHA-256 (already computed).
    func request(
        _ method: CurlRequest.Method, _ url: String, file: S3SpoolRange, sha256: String, contentType: String,
        headers extra: [String] = []
    ) -> CurlRequest {
        let headers = ["x-amz-content-sha256: \(sha256)", "Content-Type: \(contentType)"]
        return CurlRequest(method: method, url: url, headers: headers + extra, file: file)
    }

    /// Runs blocking work (spool I/O, hashing) on the transfer threads, keeping the cooperative pool free.
    func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await pool.runIfActive(work)
        } catch let error as ObjectStoreError {
            throw error
        } catch is NIOThreadPoolError.ThreadPoolInactive {
            throw ObjectStoreError.unavailable("the S3 thread pool is shut down")
        } catch {
            throw ObjectStoreError.unavailable("\(error)")
        }
    }

    /// Runs blocking work on the transfer threads without waiting for it (inline if the pool is shut down).
    func detached(_ work: @escaping @Sendable () -> Void) {
        pool.submit { _ in work() }
    }

    static func sha256(_ buffer: ByteBuffer) -> String {
        buffer.withUnsafeReadableBytes { Hex.encode(SHA256.hash(data: $0)) }
    }

    /// Sends `request` until it gets an answer that is not worth retrying, and returns that answer.
    func send(
        _ what: String, _ request: CurlRequest, retryIf transient: @Sendable (CurlResponse) -> Bool = S3Client.isTransient
    ) async throws -> CurlResponse {
        var problem = ""
        for attempt in 1...configuration.attempts {
            if attempt > 1 { try await backoff(attempt) }
            switch try await perform(request) {
            case .success(let response) where transient(response):
                problem = response.errorSummary
            case .success(let response):
                return response
            case .failure(let failure) where failure.isTransient:
                problem = failure.message
            case .failure(let failure):
                throw ObjectStoreError.unavailable("S3 \(what) failed: \(failure.message)")
            }
        }
        throw ObjectStoreError.unavailable("S3 \(what) failed after \(configuration.attempts) attempts: \(problem)")
    }

    /// Starts a GET whose 2xx body streams into `channel`; the channel is finished when the transfer ends.
    func start(_ request: CurlRequest, streamingTo channel: BodyChannel) {
        handles.stream(request, settings, into: channel, on: pool, poolName: "the S3 thread pool")
    }

    func backoff(_ attempt: Int) async throws {
        try await Task.sleep(for: configuration.retryBaseDelay * (1 << (attempt - 2)))
    }

    static let isTransient: @Sendable (CurlResponse) -> Bool = { $0.status >= 500 || $0.status == 429 }

    private func perform(_ request: CurlRequest) async throws -> Result<CurlResponse, CurlFailure> {
        let (handles, settings) = (self.handles, self.settings)
        do {
            return try await pool.runIfActive {
                guard let easy = handles.take() else { return .failure(CurlFailure(code: -1, message: "curl could not make a handle")) }
                defer { handles.give(easy) }
                return easy.perform(request, settings)
            }
        } catch {
            throw ObjectStoreError.unavailable("the S3 thread pool is shut down")
        }
    }

    /// The error for an answer that is neither success nor retried, worded for operators.
    func rejection(_ what: String, _ response: CurlResponse, key: S3Key? = nil) -> ObjectStoreError {
        let code = response.errorCode
        switch (response.status, code) {
        case (403, "InvalidAccessKeyId"?), (403, "SignatureDoesNotMatch"?), (403, nil):
            return .unavailable(
                "S3 at \(configuration.endpoint) rejected the credentials for bucket '\(bucket)' on \(what) (\(response.errorSummary)); "
                    + "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        case (403, _):
            return .unavailable("S3 at \(configuration.endpoint) denied \(what) on bucket '\(bucket)' (\(response.errorSummary))")
        case (404, "NoSuchBucket"?):
            return .unavailable("the S3 bucket '\(bucket)' does not exist at \(configuration.endpoint)")
        case (404, _) where key != nil:
            return .notFound(key?.raw ?? "")
        case (412, _) where key != nil:
            return .alreadyExists(key?.raw ?? "")
        default:
            return .unavailable("S3 \(what) failed: \(response.errorSummary)")
        }
    }
}
