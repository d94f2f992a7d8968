import CatalogCore
import HTTPTypes
import Hummingbird

/// §Orders and analytics: `/analytics/*` for admins and analysts, and for a partner about itself.
struct AnalyticsRoutes {
    let catalog: Catalog

    static let scopeParameters: Set<String> = ["from", "to", "partner_name"]

    func register(on router: Router<CatalogRequestContext>) {
        router.get("/analytics/sales-by-partner") { request, context in
            let (principal, _, filter) = try scope(request, context)
            let rows = try await catalog.analytics.salesByPartner(filter, by: principal)
            return RawJSON.response(AnalyticsJSON.response("sales-by-partner", filter, results: rows.map(AnalyticsJSON.partnerSales)))
        }
        router.get("/analytics/sales-over-time") { request, context in
            let (principal, query, filter) = try scope(request, context, extra: ["grain"])
            let grain: SalesGrain = try query.enumValue("grain") ?? .daily
            let rows = try await catalog.analytics.salesOverTime(filter, grain: grain, by: principal)
            return RawJSON.response(AnalyticsJSON.response(
                "sales-over-time", filter, extra: { $0.string("grain", grain.rawValue) }, results: rows.map(AnalyticsJSON.periodSales)))
        }
        router.get("/analytics/revenue-share") { request, context in
            let (principal, _, filter) = try scope(request, context)
            let rows = try await catalog.analytics.revenueShare(filter, by: principal)
            return RawJSON.response(AnalyticsJSON.response("revenue-share", filter, results: rows.map(AnalyticsJSON.revenueShare)))
        }
        router.get("/analytics/top-products") { request, context in
            let (principal, query, filter) = try scope(request, context, extra: ["limit"])
            let limit = try query.limit(default: 10, max: 100)
            let rows = try await catalog.analytics.topProducts(filter, limit: limit, by: principal)
            return RawJSON.response(AnalyticsJSON.response(
                "top-products", filter, extra: { $0.integer("limit", Int64(limit)) }, results: rows.map(AnalyticsJSON.productSales)))
        }
        router.get("/analytics/inventory") { request, context in
            let (principal, query, filter) = try scope(request, context, extra: ["low_stock_threshold"])
            let threshold = try query.integer("low_stock_threshold", in: 0...1_000_000_000) ?? 5
            let rows = try await catalog.analytics.inventory(filter, lowStockThreshold: threshold, by: principal)
            return RawJSON.response(AnalyticsJSON.response(
                "inventory", filter, extra: { $0.integer("low_stock_threshold", threshold) }, results: rows.map(AnalyticsJSON.inventory)))
        }
    }

    /// The caller, its parameters (the scope's and `extra`, nothing else) and the scope they name.
    private func scope(
        _ request: Request, _ context: CatalogRequestContext, extra: Set<String> = []
    ) throws -> (Principal, QueryParameters, AnalyticsFilter) {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: Self.scopeParameters.union(extra))
        let filter = AnalyticsFilter(
            partnerName: try query.text("partner_name", maxLength: 63), from: try query.instant("from"), to: try query.instant("to"))
        return (principal, query, filter)
    }
}
