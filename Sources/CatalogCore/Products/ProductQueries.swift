import Crypto

/// `GET /products` and `GET /products/{id}`: every role reads active products; partner keys see their
/// own partner's only; inactive products are for admins and analysts.
public struct ProductQueries: Sendable {
    let reader: any ProductReadModel

    public init(reader: any ProductReadModel) {
        self.reader = reader
    }

    public func get(_ id: String, by principal: Principal) async throws -> Product {
        guard IDKind.product.number(of: id) != nil, let product = try await reader.product(id: id),
              Self.mayRead(product, principal)
        else { throw CatalogError.notFound("Product", id) }
        return product
    }

    public func list(_ query: ProductQuery, by principal: Principal) async throws -> ProductPage {
        guard let scoped = try scoped(query, by: principal) else { return ProductPage(items: [], next: nil) }
        return try await reader.listProducts(scoped)
    }

    /// A weak entity tag for the page `query` answers `principal` (§Products, conditional list pages): the
    /// read model's change position and the query as scoped for that principal, which together decide
    /// every byte of the page. An app refreshing an unchanged page costs this one position lookup. The
    /// position is read before any page is, so a page is never labelled newer than its data.
    public func listTag(_ query: ProductQuery, by principal: Principal) async throws -> String {
        let scoped = try scoped(query, by: principal)
        let position = try await reader.servedPosition()
        let key = scoped.map { query in
            let fingerprint = ProductCursor.fingerprint(query.filter, sort: query.sort, order: query.order)
            let after = query.after.map { ProductCursor.encode($0, fingerprint: fingerprint) } ?? ""
            return "\(Self.tagVersion)|\(fingerprint)|\(query.limit)|\(after)"
        } ?? "\(Self.tagVersion)|empty"
        return "W/\"\(position)-\(Hex.encode(SHA256.hash(data: Array(key.utf8)).prefix(12)))\""
    }

    /// Changes whenever the list's JSON could change for the same data (a new field, another format).
    static let tagVersion = 1

    /// The query as `principal` may run it: partner keys see their own partner's products only (nil: an
    /// empty page, another partner's were asked for); inactive products are for admins and analysts.
    func scoped(_ query: ProductQuery, by principal: Principal) throws -> ProductQuery? {
        var query = query
        try Self.checkPriceRange(min: query.filter.minPrice, max: query.filter.maxPrice)
        if query.filter.status != .active, principal.role != .admin, principal.role != .analyst {
            throw CatalogError.forbidden("Only admin and analyst keys may list status=\(query.filter.status.rawValue) products.")
        }
        if principal.role == .partner {
            guard let own = principal.partner?.partnerName else { return nil }
            if let asked = query.filter.partnerName, asked != own { return nil }
            query.filter.partnerName = own
        }
        return query
    }

    /// `min_price` above `max_price` is a 400 (products and catalog items alike).
    static func checkPriceRange(min: ExactDecimal?, max: ExactDecimal?) throws {
        if let min, let max, min > max {
            throw CatalogError.validation("min_price (\(min)) is above max_price (\(max)).", parameter: "min_price", value: min.description)
        }
    }

    static func mayRead(_ product: Product, _ principal: Principal) -> Bool {
        switch principal.role {
        case .admin, .analyst: true
        case .reader: product.status == .active
        case .partner: product.status == .active && principal.partner?.partnerName == product.partnerName
        }
    }
}
