import CatalogCore
import Hummingbird
import Logging
import ServiceLifecycle

public enum CatalogHTTP {
    /// The router with every route of the contract and its middleware, for `serve` and for tests.
    public static func router(catalog: Catalog, spoolDirectory: String) -> Router<CatalogRequestContext> {
        let router = Router(context: CatalogRequestContext.self)
        // Middleware applies to routes registered after it, and to unknown routes.
        router.addMiddleware {
            RequestIDMiddleware()
            RequestLogMiddleware()
            ErrorMiddleware()
            AuthMiddleware(keys: catalog.keys)
        }
        HealthRoutes(catalog: catalog).register(on: router)
        DocumentationRoutes().register(on: router)
        PartnerRoutes(catalog: catalog).register(on: router)
        FeedRoutes(catalog: catalog, spoolDirectory: spoolDirectory).register(on: router)
        JobRoutes(catalog: catalog).register(on: router)
        return router
    }

    public static func application(
        catalog: Catalog, spoolDirectory: String, host: String, port: Int, services: [any Service], logger: Logger
    ) -> some ApplicationProtocol {
        Application(
            router: router(catalog: catalog, spoolDirectory: spoolDirectory),
            configuration: .init(address: .hostname(host, port: port), serverName: "partner-catalog"),
            services: services,
            logger: logger)
    }
}
