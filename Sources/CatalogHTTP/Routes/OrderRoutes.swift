import CatalogCore
import HTTPTypes
import Hummingbird

/// §Orders: posting orders one by one and reading orders from posts and feeds.
struct OrderRoutes {
    let catalog: Catalog

    func register(on router: Router<CatalogRequestContext>) {
        router.post("/orders") { request, context in
            let principal = try context.requirePrincipal()
            try principal.require(.partner, .admin)
            _ = try QueryParameters(request, allowed: [])
            let body = try await JSONBody.decode(OrderBody.self, from: request, context: context)
            let order = try await catalog.orders.create(body.request, by: principal)
            return RawJSON.response(OrderJSON.object(order), status: .created, headers: [.location: "/orders/\(order.orderID)"])
        }
        router.get("/orders") { request, context in
            let principal = try context.requirePrincipal()
            let query = try QueryParameters(request, allowed: ["partner_name", "from", "to", "limit", "cursor"])
            let filter = OrderFilter(
                partnerName: try query.text("partner_name", maxLength: 63), from: try query.instant("from"), to: try query.instant("to"))
            let fingerprint = OrderCursor.fingerprint(filter)
            let after = try query["cursor"].map { try OrderCursor.decode($0, fingerprint: fingerprint) }
            let page = try await catalog.orders.list(filter, limit: try query.limit(), after: after, by: principal)
            return RawJSON.response(OrderJSON.list(
                page.items, nextCursor: page.next.map { OrderCursor.encode($0, fingerprint: fingerprint) }))
        }
        router.get("/orders/:order_id") { request, context in
            let principal = try context.requirePrincipal()
            _ = try QueryParameters(request, allowed: [])
            let order = try await catalog.orders.get(try context.parameters.require("order_id"), by: principal)
            return RawJSON.response(OrderJSON.object(order))
        }
    }
}
