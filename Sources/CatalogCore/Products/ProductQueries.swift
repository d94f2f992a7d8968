/// `GET /products` and `GET /products/{id}`: every role reads active products; partner keys see their
/// own partner's only; inactive products are for admins and analysts.
public struct ProductQueries: Sendable {
    let reader: any ProductReader

    public init(reader: any ProductReader) {
        self.reader = reader
    }

    public func get(_ id: String, by principal: Principal) async throws -> Product {
        guard IDKind.product.number(of: id) != nil, let product = try await reader.product(id: id),
              Self.mayRead(product, principal)
        else { throw CatalogError.notFound("Product", id) }
        return product
    }

    public func list(_ query: ProductQuery, by principal: Principal) async throws -> ProductPage {
        var query = query
        if let min = query.filter.minPrice, let max = query.filter.maxPrice, min > max {
            throw CatalogError.validation(
                "min_price (\(min)) is above max_price (\(max)).", parameter: "min_price", value: min.description)
        }
        if query.filter.status != .active, principal.role != .admin, principal.role != .analyst {
            throw CatalogError.forbidden("Only admin and analyst keys may list status=\(query.filter.status.rawValue) products.")
        }
        if principal.role == .partner {
            guard let own = principal.partner?.partnerName else { return ProductPage(items: [], next: nil) }
            if let asked = query.filter.partnerName, asked != own { return ProductPage(items: [], next: nil) }
            query.filter.partnerName = own
        }
        return try await reader.listProducts(query)
    }

    static func mayRead(_ product: Product, _ principal: Principal) -> Bool {
        switch principal.role {
        case .admin, .analyst: true
        case .reader: product.status == .active
        case .partner: product.status == .active && principal.partner?.partnerName == product.partnerName
        }
    }
}
