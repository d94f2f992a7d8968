import CatalogCore
import NIOCore
import NIOPosix

/// The outbound HTTP client (webhooks, vendor sources) on libcurl: transfers block threads of their own
/// pool, never NIO's event loops or the concurrency pool; no redirect is followed; an answer is read up
/// to `maxResponseBytes`; the address connected to is checked against the target rule.
public final class CurlHTTPClient: OutboundHTTP {
    private let pool: NIOThreadPool
    private let handles: CurlHandlePool

    public init(threads: Int = 4) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        handles = CurlHandlePool(maxIdle: threads)
    }

    deinit { pool.shutdownGracefully { _ in } }

    public func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        let (curlRequest, settings) = try Self.prepare(request)
        let (handles, configured) = (self.handles, settings)
        let result: Result<CurlResponse, CurlFailure>
        do {
            result = try await pool.runIfActive {
                guard let easy = handles.take() else { return .failure(CurlFailure(code: -1, message: "curl could not make a handle")) }
                defer { handles.give(easy) }
                return easy.perform(curlRequest, configured)
            }
        } catch {
            throw OutboundFailure.transport("The outbound HTTP pool is shut down.")
        }
        return try Self.answer(result)
    }

    public func stream(
        _ request: OutboundRequest, head: ([String: String]) async throws -> Void, into body: (ByteBuffer) async throws -> Void
    ) async throws -> OutboundResponse {
        let (curlRequest, settings) = try Self.prepare(request)
        let channel = BodyChannel(limit: 1 << 20)
        let reader = BodyReader(channel)
        handles.stream(curlRequest, settings, into: channel, on: pool, poolName: "the outbound HTTP pool")
        defer { withExtendedLifetime(reader) {} }
        if case .ended(let result) = await channel.first() { return try Self.answer(result) }
        do {
            try await head(channel.headers)
            while let chunk = try await channel.next() { try await body(chunk) }
        } catch let error as ObjectStoreError {
            channel.readerLeft()
            throw OutboundFailure.transport(error.catalogError.message)
        } catch {
            channel.readerLeft()
            throw error
        }
        guard let result = channel.result else { throw OutboundFailure.transport("The transfer ended without an answer.") }
        return try Self.answer(result)
    }

    private static func prepare(_ request: OutboundRequest) throws -> (CurlRequest, CurlSettings) {
        guard let method = CurlRequest.Method(rawValue: request.method.uppercased()) else {
            throw OutboundFailure.transport("Unsupported method \(request.method).")
        }
        let curlRequest = CurlRequest(
            method: method, url: request.url, headers: request.headers.map { "\($0.0): \($0.1)" }, body: ByteBuffer(bytes: request.body))
        var settings = CurlSettings(
            sigV4: nil, connectTimeoutMilliseconds: Int(min(request.timeout, 10) * 1000), stallSeconds: max(1, Int(min(request.timeout, 60))))
        settings.totalTimeoutMilliseconds = Int(request.timeout * 1000)
        settings.maxCollectedBytes = request.maxResponseBytes
        settings.refusePrivateTargets = !request.allowPrivateTargets
        return (curlRequest, settings)
    }

    private static func answer(_ result: Result<CurlResponse, CurlFailure>) throws -> OutboundResponse {
        switch result {
        case .success(let response):
            return OutboundResponse(status: response.status, headers: response.headers, body: Array(response.body.readableBytesView))
        case .failure(let failure) where failure.isRefusedTarget:
            throw OutboundFailure.refusedTarget("the host resolved to a loopback, private, link-local or metadata address")
        case .failure(let failure):
            throw OutboundFailure.transport(failure.message)
        }
    }
}
