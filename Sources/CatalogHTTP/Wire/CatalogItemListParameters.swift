import CatalogCore

/// The query of `GET /catalog/items`, read from its parameters (§Unified catalog); anything unknown or
/// malformed is a 400.
struct CatalogItemListParameters {
    static let allowed: Set<String> = [
        "q", "brand", "category", "availability", "min_price", "max_price", "currency", "sort_by", "order", "limit", "cursor",
    ]

    let query: CatalogItemQuery
    let fingerprint: String

    init(_ parameters: QueryParameters) throws {
        var currency: String?
        if let given = try parameters.text("currency", maxLength: 10) {
            guard let code = CurrencyCode.normalise(given) else {
                throw CatalogError.validation("currency must be an ISO 4217 code such as USD or EUR.", parameter: "currency", value: given)
            }
            currency = code
        }
        let filter = CatalogItemFilter(
            text: try parameters.text("q", maxLength: 200),
            brand: try parameters.text("brand", maxLength: 500),
            category: try parameters.text("category", maxLength: 500),
            availability: try parameters.enumValue("availability"),
            minPrice: try parameters.decimal("min_price"),
            maxPrice: try parameters.decimal("max_price"),
            currency: currency)
        let sort: CatalogItemSort = try parameters.enumValue("sort_by") ?? .productName
        let order: SortOrder = try parameters.enumValue("order") ?? .asc
        let limit = try parameters.limit()
        let fingerprint = CatalogItemCursor.fingerprint(filter, sort: sort, order: order)
        let after = try parameters["cursor"].map { try CatalogItemCursor.decode($0, fingerprint: fingerprint, sort: sort) }
        self.fingerprint = fingerprint
        query = CatalogItemQuery(filter: filter, sort: sort, order: order, limit: limit, after: after)
    }
}
