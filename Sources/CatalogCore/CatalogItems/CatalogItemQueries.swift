/// `GET /catalog/items` and `GET /catalog/items/{id}` (§Unified catalog): every role reads items; a
/// partner key sees the items it offers, made of its own offers only.
public struct CatalogItemQueries: Sendable {
    let reader: any CatalogItemReader

    public init(reader: any CatalogItemReader) {
        self.reader = reader
    }

    public func list(_ query: CatalogItemQuery, by principal: Principal) async throws -> CatalogItemPage {
        var query = query
        try ProductQueries.checkPriceRange(min: query.filter.minPrice, max: query.filter.maxPrice)
        guard let scope = Self.scope(of: principal) else { return CatalogItemPage(items: [], next: nil) }
        query.filter.scope = scope
        return try await reader.listItems(query)
    }

    /// The item with its offers, cheapest first.
    public func get(_ id: String, by principal: Principal) async throws -> (CatalogItem, [Product]) {
        guard IDKind.catalogItem.number(of: id) != nil, let scope = Self.scope(of: principal),
              let found = try await reader.item(id: id, scope: scope)
        else { throw CatalogError.notFound("Catalog item", id) }
        return found
    }

    /// "" (every offer) for admin, analyst and reader keys; a partner's name for its keys; nil: a partner
    /// key without a partner sees nothing.
    static func scope(of principal: Principal) -> String? {
        switch principal.role {
        case .admin, .analyst, .reader: ""
        case .partner: principal.partner?.partnerName
        }
    }
}
