import struct Foundation.Date

/// Which products `GET /products` lists by status; `all` and `inactive` are for admins and analysts.
public enum ProductStatusFilter: String, Sendable, CaseIterable {
    case active
    case inactive
    case all
}

/// The columns `GET /products` sorts by. Every sort is broken by `seq` (the product ID's number).
public enum ProductSort: String, Sendable, CaseIterable {
    case productID = "product_id"
    case price
    case productName = "product_name"
    case brand
    case category
    case createdAt = "created_at"
    case updatedAt = "updated_at"

    /// The kind of value a cursor carries for this sort, besides `seq`.
    public var keyKind: SortKeyKind {
        switch self {
        case .productID: .none
        case .price: .integer
        case .productName, .brand, .category: .text
        case .createdAt, .updatedAt: .timestamp
        }
    }
}

public enum SortKeyKind: Sendable {
    case none
    /// Integers: price in ten-thousandths.
    case integer
    /// Text compared byte by byte (UTF-8); a missing brand or category sorts as the empty string.
    case text
    /// Microseconds since 1970-01-01 UTC.
    case timestamp
}

public enum SortOrder: String, Sendable, CaseIterable {
    case asc
    case desc
}

/// Where a page ends: the last product's sort value and sequence number.
public struct ProductPosition: Sendable, Equatable {
    public enum Key: Sendable, Equatable {
        case none
        case integer(Int64)
        case text(String)
    }

    public var key: Key
    public var seq: Int64

    public init(key: Key, seq: Int64) {
        self.key = key
        self.seq = seq
    }
}

public struct ProductFilter: Sendable, Equatable {
    public var partnerName: String?
    public var feedID: String?
    public var sku: String?
    public var brand: String?
    public var category: String?
    public var availability: Availability?
    public var minPrice: ExactDecimal?
    public var maxPrice: ExactDecimal?
    /// Case-insensitive substring of product_name, description, sku or brand.
    public var text: String?
    public var updatedSince: Date?
    public var status: ProductStatusFilter

    public init(
        partnerName: String? = nil, feedID: String? = nil, sku: String? = nil, brand: String? = nil, category: String? = nil,
        availability: Availability? = nil, minPrice: ExactDecimal? = nil, maxPrice: ExactDecimal? = nil, text: String? = nil,
        updatedSince: Date? = nil, status: ProductStatusFilter = .active
    ) {
        self.partnerName = partnerName
        self.feedID = feedID
        self.sku = sku
        self.brand = brand
        self.category = category
        self.availability = availability
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.text = text
        self.updatedSince = updatedSince
        self.status = status
    }
}

/// One page of products in a keyset walk: never OFFSET, always "after this position".
public struct ProductQuery: Sendable, Equatable {
    public var filter: ProductFilter
    public var sort: ProductSort
    public var order: SortOrder
    public var limit: Int
    public var after: ProductPosition?

    public init(filter: ProductFilter, sort: ProductSort = .productID, order: SortOrder = .asc, limit: Int = 50,
                after: ProductPosition? = nil) {
        self.filter = filter
        self.sort = sort
        self.order = order
        self.limit = limit
        self.after = after
    }
}

public struct ProductPage: Sendable {
    public var items: [Product]
    /// The position to continue after, or nil when this is the last page.
    public var next: ProductPosition?

    public init(items: [Product], next: ProductPosition?) {
        self.items = items
        self.next = next
    }
}

extension Product {
    /// This product's position under `sort`, as a cursor carries it.
    public func position(for sort: ProductSort) -> ProductPosition {
        let key: ProductPosition.Key
        switch sort {
        case .productID: key = .none
        case .price: key = .integer(price.units)
        case .productName: key = .text(productName)
        case .brand: key = .text(brand ?? "")
        case .category: key = .text(category ?? "")
        case .createdAt: key = .integer(UTCMicroseconds.of(createdAt))
        case .updatedAt: key = .integer(UTCMicroseconds.of(updatedAt))
        }
        return ProductPosition(key: key, seq: seq)
    }
}
