import CatalogCore

/// The query of `GET /products`, read from its parameters (§Products); anything unknown or malformed is a 400.
struct ProductListParameters {
    static let allowed: Set<String> = [
        "partner_name", "feed_id", "sku", "brand", "category", "availability", "min_price", "max_price", "q",
        "updated_since", "status", "sort_by", "order", "limit", "cursor",
    ]

    let query: ProductQuery
    let fingerprint: String

    init(_ parameters: QueryParameters) throws {
        let filter = ProductFilter(
            partnerName: try parameters.text("partner_name", maxLength: 63),
            feedID: try parameters.identifier("feed_id", kind: .feed),
            sku: try parameters.text("sku", maxLength: 64),
            brand: try parameters.text("brand", maxLength: 500),
            category: try parameters.text("category", maxLength: 500),
            availability: try parameters.enumValue("availability"),
            minPrice: try parameters.decimal("min_price"),
            maxPrice: try parameters.decimal("max_price"),
            text: try parameters.text("q", maxLength: 200),
            updatedSince: try parameters.instant("updated_since"),
            status: try parameters.enumValue("status") ?? .active)
        let sort: ProductSort = try parameters.enumValue("sort_by") ?? .productID
        let order: SortOrder = try parameters.enumValue("order") ?? .asc
        let limit = try parameters.limit()
        let fingerprint = ProductCursor.fingerprint(filter, sort: sort, order: order)
        let after = try parameters["cursor"].map { try ProductCursor.decode($0, fingerprint: fingerprint, sort: sort) }
        self.fingerprint = fingerprint
        query = ProductQuery(filter: filter, sort: sort, order: order, limit: limit, after: after)
    }
}
