/// The sorts of `GET /catalog/items`; each is broken by the item's number.
public enum CatalogItemSort: String, Sendable, CaseIterable {
    case productName = "product_name"
    case bestPrice = "best_price"
    case offers

    var keyKind: SortKeyKind { self == .productName ? .text : .integer }
}

public struct CatalogItemFilter: Sendable, Equatable {
    /// "" for every offer; a partner's name for its own offers only (partner keys).
    public var scope: String
    /// Case-insensitive substring of any offer's product_name, brand or mpn, or of the GTIN.
    public var text: String?
    public var brand: String?
    public var category: String?
    /// Items with at least one offer of this availability.
    public var availability: Availability?
    /// Bounds on the best offer's price (in `currency`, or each item's most common currency).
    public var minPrice: ExactDecimal?
    public var maxPrice: ExactDecimal?
    /// Items with offers in this currency, their best offer and `best_price` in it.
    public var currency: String?

    public init(
        scope: String = "", text: String? = nil, brand: String? = nil, category: String? = nil, availability: Availability? = nil,
        minPrice: ExactDecimal? = nil, maxPrice: ExactDecimal? = nil, currency: String? = nil
    ) {
        self.scope = scope
        self.text = text
        self.brand = brand
        self.category = category
        self.availability = availability
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.currency = currency
    }
}

public struct CatalogItemQuery: Sendable, Equatable {
    public var filter: CatalogItemFilter
    public var sort: CatalogItemSort
    public var order: SortOrder
    public var limit: Int
    /// The last item of the previous page: its sort value and number.
    public var after: ProductPosition?

    public init(filter: CatalogItemFilter, sort: CatalogItemSort = .productName, order: SortOrder = .asc, limit: Int = 50,
                after: ProductPosition? = nil) {
        self.filter = filter
        self.sort = sort
        self.order = order
        self.limit = limit
        self.after = after
    }
}

/// A page of items, each with the offer figures in the asked (or its most common) currency.
public struct CatalogItemPage: Sendable {
    public var items: [CatalogItem]
    public var next: ProductPosition?

    public init(items: [CatalogItem], next: ProductPosition?) {
        self.items = items
        self.next = next
    }
}

extension CatalogItem {
    /// The figures an item shows for `currency` (nil: its most common one).
    public func shownPrices(_ currency: String?) -> CatalogItemPrices? { prices(in: currency ?? self.currency) }

    public func position(for sort: CatalogItemSort, currency: String?) -> ProductPosition {
        let key: ProductPosition.Key = switch sort {
        case .productName: .text(productName)
        case .bestPrice: .integer(shownPrices(currency)?.best.price.units ?? 0)
        case .offers: .integer(Int64(offers))
        }
        return ProductPosition(key: key, seq: seq)
    }
}

/// The opaque cursor of `GET /catalog/items`.
public enum CatalogItemCursor {
    public static func fingerprint(_ filter: CatalogItemFilter, sort: CatalogItemSort, order: SortOrder) -> String {
        Cursor.fingerprint([
            "catalog-items", filter.scope, filter.text, filter.brand, filter.category, filter.availability?.rawValue,
            filter.minPrice.map { String($0.units) }, filter.maxPrice.map { String($0.units) }, filter.currency,
            sort.rawValue, order.rawValue,
        ])
    }

    /// Items page by the same keyset positions as products.
    public static func encode(_ position: ProductPosition, fingerprint: String) -> String {
        ProductCursor.encode(position, fingerprint: fingerprint)
    }

    public static func decode(_ cursor: String, fingerprint: String, sort: CatalogItemSort) throws -> ProductPosition {
        try ProductCursor.decode(cursor, fingerprint: fingerprint, keyKind: sort.keyKind)
    }
}
