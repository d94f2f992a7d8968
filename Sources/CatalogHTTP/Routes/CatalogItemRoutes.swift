import CatalogCore
import Hummingbird

/// §Unified catalog: one item per real-world product, with every vendor's offer.
struct CatalogItemRoutes {
    let catalog: Catalog

    func register(on router: Router<CatalogRequestContext>) {
        router.get("/catalog/items") { request, context in
            let principal = try context.requirePrincipal()
            let parameters = try CatalogItemListParameters(QueryParameters(request, allowed: CatalogItemListParameters.allowed))
            let page = try await catalog.catalogItems.list(parameters.query, by: principal)
            let cursor = page.next.map { CatalogItemCursor.encode($0, fingerprint: parameters.fingerprint) }
            return RawJSON.response(CatalogItemJSON.list(page.items, currency: parameters.query.filter.currency, nextCursor: cursor))
        }
        router.get("/catalog/items/:item_id") { request, context in
            let principal = try context.requirePrincipal()
            _ = try QueryParameters(request, allowed: [])
            let (item, offers) = try await catalog.catalogItems.get(try context.parameters.require("item_id"), by: principal)
            return RawJSON.response(CatalogItemJSON.object(item, offers: offers))
        }
    }
}
