import Crypto

public enum Availability: String, Sendable, Codable, CaseIterable {
    case inStock = "in_stock"
    case outOfStock = "out_of_stock"
    case preorder
    case backorder

    /// `In Stock`, `in-stock` and `IN_STOCK` are all `in_stock`.
    public static func normalise(_ text: String) -> Availability? {
        if let exact = Availability(rawValue: text) { return exact }
        let key = text.trimmingWhitespace().lowercased()
            .replacingOccurrences(of: "-", with: " ")
            .split(separator: " ", omittingEmptySubsequences: true)
            .joined(separator: "_")
        return Availability(rawValue: key)
    }
}

/// One valid, normalised row of a products feed.
public struct ProductRecord: Sendable, Equatable {
    public var sku: String
    public var productName: String
    public var description: String?
    public var brand: String?
    public var category: String?
    public var price: ExactDecimal
    public var currency: String
    public var availability: Availability
    public var quantity: Int64?
    public var imageURLs: [String]
    /// Unknown columns, by header name.
    public var attributes: [String: String]
    /// GTIN-14 (`GTIN.normalise`), the key that groups offers into catalog items.
    public var gtin: String?
    /// Manufacturer part number, trimmed; with the brand, the grouping key of offers without a GTIN.
    public var mpn: String?

    public init(
        sku: String, productName: String, description: String? = nil, brand: String? = nil, category: String? = nil,
        price: ExactDecimal, currency: String = "USD", availability: Availability, quantity: Int64? = nil,
        imageURLs: [String] = [], attributes: [String: String] = [:], gtin: String? = nil, mpn: String? = nil
    ) {
        self.gtin = gtin
        self.mpn = mpn
        self.sku = sku
        self.productName = productName
        self.description = description
        self.brand = brand
        self.category = category
        self.price = price
        self.currency = currency
        self.availability = availability
        self.quantity = quantity
        self.imageURLs = imageURLs
        self.attributes = attributes
    }

    /// A digest of every stored field: equal digests mean "unchanged", so re-runs compare instead of rewrite.
    public var contentHash: String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        func add(_ value: String?) {
            guard let value else { return buffer.append(0x2D) }
            var length = UInt32(value.utf8.count)
            withUnsafeBytes(of: &length) { buffer.append(contentsOf: $0) }
            buffer.append(contentsOf: value.utf8)
        }
        add(productName)
        add(description)
        add(brand)
        add(category)
        add(price.description)
        add(currency)
        add(availability.rawValue)
        add(quantity.map(String.init))
        add(imageURLs.joined(separator: "|"))
        for key in attributes.keys.sorted() {
            add(key)
            add(attributes[key])
        }
        // Only when present, so products stored before these fields existed keep their digest. Four 0xFF
        // bytes cannot start an attribute (that would be a key of 4 GiB), so nothing else reads the same.
        if gtin != nil || mpn != nil {
            buffer.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF])
            add(gtin)
            add(mpn)
        }
        return Hex.encode(SHA256.hash(data: buffer).prefix(16))
    }
}

/// Why a row was skipped, as `/jobs/{id}/errors` lists it.
public struct RowDiagnostic: Error, Sendable, Equatable {
    public var line: Int
    public var sku: String?
    public var column: String?
    public var code: String
    public var message: String
    public var value: String?

    public init(line: Int, sku: String?, column: String?, code: String, message: String, value: String?) {
        self.line = line
        self.sku = sku
        self.column = column
        self.code = code
        self.message = message
        self.value = value.map { String($0.prefix(200)) }
    }
}
