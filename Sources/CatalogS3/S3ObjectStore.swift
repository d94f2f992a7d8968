import CatalogCurl
import CatalogCore
import NIOCore
import NIOPosix
import Synchronization

/// The object-store port on an S3-compatible bucket, through libcurl with its own SigV4 signing.
/// Objects are created with `If-None-Match: *` and never overwritten; each carries its SHA-256.
public struct S3ObjectStore: ObjectStore {
    /// Shared by every store in the process, so that tests making many stores do not make many threads.
    private static let sharedPools = SharedThreadPools()

    let client: S3Client

    public var bucket: String { client.bucket }
    public var configuration: S3Configuration { client.configuration }

    public init(configuration: S3Configuration) throws {
        try configuration.validate()
        guard CurlRuntime.setup == .init(0) else { throw ObjectStoreError.unavailable("libcurl failed to initialise") }
        client = S3Client(configuration: configuration, pool: Self.sharedPools.pool(threads: configuration.threads))
    }

    public func makeWriter(key: String, contentType: String) async throws -> any ObjectWriter {
        S3ObjectWriter(client: client, key: try S3Key(key), contentType: contentType)
    }

    public func read(key: String) async throws -> ObjectReadStream {
        let key = try S3Key(key)
        let request = client.request(.get, client.url(key: key))
        var problem = ""
        for attempt in 1...client.configuration.attempts {
            if attempt > 1 { try await client.backoff(attempt) }
            let channel = BodyChannel(limit: 4 << 20)
            client.start(request, streamingTo: channel)
            switch await channel.first() {
            case .body:
                let reader = BodyReader(channel)
                return ObjectReadStream(unfolding: { try await reader.channel.next() })
            case .ended(.success(let response)) where response.isSuccess:
                return ObjectReadStream { $0.finish() }
            case .ended(.success(let response)) where S3Client.isTransient(response):
                problem = response.errorSummary
            case .ended(.success(let response)):
                throw client.rejection("GET \(key.raw)", response, key: key)
            case .ended(.failure(let failure)) where failure.isTransient:
                problem = failure.message
            case .ended(.failure(let failure)):
                throw ObjectStoreError.unavailable("S3 GET \(key.raw) failed: \(failure.message)")
            }
        }
        throw ObjectStoreError.unavailable("S3 GET \(key.raw) failed after \(client.configuration.attempts) attempts: \(problem)")
    }

    public func metadata(key: String) async throws -> ObjectMetadata? {
        let key = try S3Key(key)
        let response = try await client.send("HEAD \(key.raw)", client.request(.head, client.url(key: key)))
        if response.status == 404 { return nil }
        guard response.isSuccess else { throw client.rejection("HEAD \(key.raw)", response) }
        var sha256 = response.headers["x-amz-meta-sha256"]
        if sha256 == nil, response.headers["etag"]?.contains("-") == true {
            sha256 = try? await S3Multipart(client: client, key: key).taggedSHA256()
        }
        return ObjectMetadata(key: key.raw, sizeBytes: Int64(response.headers["content-length"] ?? "") ?? 0, sha256: sha256)
    }

    /// Deletes an object just written whose feed could not be recorded; best effort.
    public func discard(key: String) async {
        guard let key = try? S3Key(key) else { return }
        _ = try? await client.send("DELETE \(key.raw)", client.request(.delete, client.url(key: key)))
    }

    /// Lists zero keys: proves the endpoint answers, the credentials are accepted and the bucket exists.
    public func ping() async throws {
        let response = try await client.send("list of bucket '\(bucket)'", client.request(.get, client.url(key: nil, query: "list-type=2&max-keys=0")))
        guard response.isSuccess else { throw client.rejection("a listing", response) }
    }

    /// Creates the bucket (for tests and first-time setup); an existing bucket of ours is fine.
    public func createBucket() async throws {
        var body = ByteBuffer()
        if client.configuration.region != "us-east-1" {
            body.writeString("<CreateBucketConfiguration><LocationConstraint>\(S3XML.escape(client.configuration.region))"
                + "</LocationConstraint></CreateBucketConfiguration>")
        }
        let request = client.request(.put, client.url(key: nil), body: body, contentType: "application/xml")
        let response = try await client.send("create bucket", request)
        guard response.isSuccess || response.errorCode == "BucketAlreadyOwnedByYou" else {
            throw client.rejection("create bucket", response)
        }
    }
}

/// One thread pool per thread count, started on first use and kept for the life of the process.
final class SharedThreadPools: Sendable {
    private let pools = Mutex<[Int: NIOThreadPool]>([:])

    func pool(threads: Int) -> NIOThreadPool {
        pools.withLock { pools in
            if let pool = pools[threads] { return pool }
            let pool = NIOThreadPool(numberOfThreads: threads)
            pool.start()
            pools[threads] = pool
            return pool
        }
    }
}
