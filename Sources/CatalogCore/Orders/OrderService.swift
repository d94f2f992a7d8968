/// §Orders: posting orders (partner and admin keys) and reading them; partner keys see their own only.
public struct OrderService: Sendable {
    let store: any OrderRepository & PartnerRepository
    let clock: any CatalogClock

    public init(store: any OrderRepository & PartnerRepository, clock: any CatalogClock) {
        self.store = store
        self.clock = clock
    }

    public func create(_ request: OrderRequest, by principal: Principal) async throws -> Order {
        try principal.require(.partner, .admin)
        let partnerName = try await resolvePartner(request.partnerName, principal)
        let lines = try request.validatedLines()
        let first = lines[0]
        return try await store.createOrder(NewOrder(
            partnerName: partnerName, partnerOrderID: first.orderID, orderedAt: first.orderedAt, currency: first.currency,
            lines: lines, createdAt: clock.now()))
    }

    public func get(_ id: String, by principal: Principal) async throws -> Order {
        try principal.require(.partner, .analyst, .admin)
        guard IDKind.order.number(of: id) != nil, let order = try await store.order(id: id),
              principal.canSee(partnerName: order.partnerName)
        else { throw CatalogError.notFound("Order", id) }
        return order
    }

    public func list(_ filter: OrderFilter, limit: Int, after: OrderPosition?, by principal: Principal) async throws -> OrderPage {
        try principal.require(.partner, .analyst, .admin)
        var filter = filter
        if let from = filter.from, let to = filter.to, from > to {
            throw CatalogError.validation("from must not be after to.", parameter: "from")
        }
        if let own = principal.confinedPartnerName {
            if let asked = filter.partnerName, asked != own { return OrderPage(items: [], next: nil) }
            filter.partnerName = own
        }
        return try await store.listOrders(filter, limit: limit, after: after)
    }

    private func resolvePartner(_ requested: String?, _ principal: Principal) async throws -> String {
        let partner: Partner?
        if principal.role == .partner {
            guard let own = principal.partner else { throw CatalogError.forbidden("This key is not bound to a partner.") }
            if let requested, !requested.isEmpty, requested != own.partnerName {
                throw CatalogError.forbidden("This key may post orders for partner '\(own.partnerName)' only.")
            }
            partner = try await store.partner(id: own.partnerID)
        } else {
            guard let requested, !requested.isEmpty else {
                throw CatalogError.validation("partner_name is required for admin keys.", parameter: "partner_name")
            }
            try PartnerName.validate(requested)
            partner = try await store.partner(name: requested)
        }
        guard let partner else {
            throw CatalogError.validation("There is no partner named '\(requested ?? "")'.", parameter: "partner_name", value: requested)
        }
        if partner.status == .suspended {
            throw CatalogError.forbidden("Partner '\(partner.partnerName)' is suspended and may not post orders.")
        }
        return partner.partnerName
    }
}
