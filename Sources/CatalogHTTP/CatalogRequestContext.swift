import CatalogCore
import Hummingbird

public struct CatalogRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` when the request carries a valid key.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// JSON request bodies are small; feed uploads stream and are limited separately.
    public var maxUploadSize: Int { 1 << 20 }

    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw CatalogError.unauthenticated }
        return principal
    }
}
