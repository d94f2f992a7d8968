import struct Foundation.Date

public enum ProductStatus: String, Sendable, Codable, CaseIterable {
    case active
    case inactive
}

/// A product as the catalog serves it.
public struct Product: Sendable, Equatable {
    /// The database sequence number behind `productID`; the tie-breaker of every sort.
    public var seq: Int64
    public var productID: String
    public var partnerName: String
    public var sku: String
    public var productName: String
    public var description: String?
    public var brand: String?
    public var category: String?
    public var price: ExactDecimal
    public var currency: String
    public var availability: String
    public var quantity: Int64?
    /// The image URLs as the stores keep them: a JSON array of strings written by `JSONText`.
    public var imageURLsJSON: String
    /// The attributes as the stores keep them: a JSON object of strings written by `JSONText`.
    public var attributesJSON: String
    public var status: ProductStatus
    public var feedID: String
    public var createdAt: Date
    public var updatedAt: Date
    /// GTIN-14, or nil (§Unified catalog).
    public var gtin: String?
    /// Manufacturer part number, or nil.
    public var mpn: String?
    /// The catalog item this product is an offer of (`CatalogItemKey`, numbered by the system of record).
    public var itemSeq: Int64?

    public init(
        seq: Int64, productID: String, partnerName: String, sku: String, productName: String, description: String?,
        brand: String?, category: String?, price: ExactDecimal, currency: String, availability: String, quantity: Int64?,
        imageURLsJSON: String, attributesJSON: String, status: ProductStatus, feedID: String, createdAt: Date, updatedAt: Date,
        gtin: String? = nil, mpn: String? = nil, itemSeq: Int64? = nil
    ) {
        self.itemSeq = itemSeq
        self.gtin = gtin
        self.mpn = mpn
        self.seq = seq
        self.productID = productID
        self.partnerName = partnerName
        self.sku = sku
        self.productName = productName
        self.description = description
        self.brand = brand
        self.category = category
        self.price = price
        self.currency = currency
        self.availability = availability
        self.quantity = quantity
        self.imageURLsJSON = imageURLsJSON
        self.attributesJSON = attributesJSON
        self.status = status
        self.feedID = feedID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
