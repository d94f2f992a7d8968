import CatalogCore
import HTTPTypes
import Hummingbird

/// §Products: the mobile app's paging (pages with weak ETags) and single products with ETags.
struct ProductRoutes {
    let catalog: Catalog

    func register(on router: Router<CatalogRequestContext>) {
        router.get("/products") { request, context in
            let principal = try context.requirePrincipal()
            let parameters = try ProductListParameters(QueryParameters(request, allowed: ProductListParameters.allowed))
            let tag = try await catalog.products.listTag(parameters.query, by: principal)
            if EntityTag.matches(ifNoneMatch: request.headers[.ifNoneMatch], tag) {
                return Response(status: .notModified, headers: [.eTag: tag])
            }
            let page = try await catalog.products.list(parameters.query, by: principal)
            let cursor = page.next.map { ProductCursor.encode($0, fingerprint: parameters.fingerprint) }
            return RawJSON.response(ProductJSON.list(page.items, nextCursor: cursor), headers: [.eTag: tag])
        }
        router.get("/products/:product_id") { request, context in
            let principal = try context.requirePrincipal()
            _ = try QueryParameters(request, allowed: [])
            let product = try await catalog.products.get(try context.parameters.require("product_id"), by: principal)
            let body = ProductJSON.object(product)
            let tag = EntityTag.of(body)
            if EntityTag.matches(ifNoneMatch: request.headers[.ifNoneMatch], tag) {
                return Response(status: .notModified, headers: [.eTag: tag])
            }
            return RawJSON.response(body, headers: [.eTag: tag])
        }
    }
}
