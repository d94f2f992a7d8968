import CatalogCore
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

public enum CatalogHTTP {
    /// The router with every route of the contract and its middleware, for `serve` and for tests.
    /// `registry` is the one the process bootstrapped swift-metrics with; `/metrics` serves it.
    /// `pingInterval`: how often idle change streams get a `: ping` (§Products: 15 s).
    public static func router(
        catalog: Catalog, spoolDirectory: String, registry: PrometheusCollectorRegistry, limits: ServerLimits = ServerLimits(),
        pingInterval: Duration = .seconds(15)
    ) -> Router<CatalogRequestContext> {
        let router = Router(context: CatalogRequestContext.self)
        // Middleware applies to routes registered after it, and to unknown routes.
        router.addMiddleware {
            RequestIDMiddleware()
            RequestLogMiddleware()
            ResponseCompressionMiddleware<CatalogRequestContext>()
            ExpectContinueMiddleware()
            MetricsMiddleware<CatalogRequestContext>()
            ErrorMiddleware()
            AuthMiddleware(keys: catalog.keys, failures: AuthFailureLimiter(failuresPerMinute: limits.authFailuresPerMinute))
        }
        HealthRoutes(catalog: catalog).register(on: router)
        DocumentationRoutes().register(on: router)
        MetricsRoutes(catalog: catalog, registry: registry).register(on: router)
        PartnerRoutes(catalog: catalog).register(on: router)
        FeedRoutes(catalog: catalog, spoolDirectory: spoolDirectory, slots: UploadSlots(perPartner: limits.uploadsPerPartner))
            .register(on: router)
        JobRoutes(catalog: catalog).register(on: router)
        ProductChangeRoutes(catalog: catalog, hub: ChangeStreamHub(listeners: catalog.changeListeners, pingInterval: pingInterval)).register(on: router)
        ProductRoutes(catalog: catalog).register(on: router)
        CatalogItemRoutes(catalog: catalog).register(on: router)
        OrderRoutes(catalog: catalog).register(on: router)
        EventRoutes(catalog: catalog).register(on: router)
        WebhookRoutes(catalog: catalog).register(on: router)
        SourceRoutes(catalog: catalog).register(on: router)
        AnalyticsRoutes(catalog: catalog).register(on: router)
        DashboardRoutes(catalog: catalog).register(on: router)
        return router
    }

    public static func application(
        catalog: Catalog, spoolDirectory: String, registry: PrometheusCollectorRegistry, host: String, port: Int,
        limits: ServerLimits = ServerLimits(), services: [any Service], logger: Logger
    ) -> some ApplicationProtocol {
        Application(
            router: router(catalog: catalog, spoolDirectory: spoolDirectory, registry: registry, limits: limits),
            server: server(limits, logger: logger),
            configuration: .init(address: .hostname(host, port: port), serverName: "partner-catalog"),
            services: services,
            logger: logger)
    }
}
