import CatalogCore
import Hummingbird
import NIOCore

public struct CatalogRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` when the request carries a valid key.
    public var principal: Principal?
    /// Fields for this request's log line that inner middleware fill in.
    public let requestLog = RequestLogFields()
    /// The request's connection, for interim responses (`100 Continue`).
    public let channel: any Channel
    /// The peer's IP address (nil when there is no socket, as in router tests).
    public let clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// JSON request bodies are small; feed uploads stream and are limited separately.
    public var maxUploadSize: Int { JSONBody.maxBytes }

    /// The request's `X-Request-Id` (Hummingbird's own id is replaced by it in the logger's metadata).
    public var id: String { logger[metadataKey: "request_id"]?.description ?? "" }

    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw CatalogError.unauthenticated }
        return principal
    }
}
