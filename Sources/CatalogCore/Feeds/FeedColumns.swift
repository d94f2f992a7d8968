/// The columns a feed's header row must and may have (§ETL).
public enum FeedColumns {
    public static func required(_ type: FeedType) -> [String] {
        switch type {
        case .products: ["sku", "product_name", "price"]
        case .orders: ["order_id", "sku", "quantity", "unit_price", "ordered_at"]
        }
    }

    /// Every column of the contract's table for the feed type (others go to `attributes`).
    public static func known(_ type: FeedType) -> Set<String> {
        switch type {
        case .products:
            ["sku", "product_name", "price", "currency", "description", "brand", "category", "availability", "quantity",
             "image_url", "gtin", "mpn"]
        case .orders: ["order_id", "sku", "quantity", "unit_price", "ordered_at", "currency"]
        }
    }

    private static let aliases: [FeedType: [String: String]] = [
        .products: [
            "name": "product_name", "title": "product_name", "image_urls": "image_url",
            "ean": "gtin", "upc": "gtin", "barcode": "gtin",
        ],
        .orders: [:],
    ]

    /// Header names are matched case-insensitively after trimming; aliases map to their column.
    public static func canonical(_ name: String, for type: FeedType) -> String {
        let normalised = name.trimmingWhitespace().lowercased()
        return aliases[type]?[normalised] ?? normalised
    }

    /// Throws `INVALID_FEED` naming the missing and duplicated columns.
    public static func check(header: [String], for type: FeedType) throws {
        var seen: [String: String] = [:]
        var duplicates: [String] = []
        for name in header {
            let column = canonical(name, for: type)
            guard !column.isEmpty else { continue }
            if let first = seen[column] {
                if !duplicates.contains(first) { duplicates.append(first) }
                duplicates.append(name.trimmingWhitespace())
            } else {
                seen[column] = name.trimmingWhitespace()
            }
        }
        let missing = required(type).filter { seen[$0] == nil }
        guard missing.isEmpty, duplicates.isEmpty else {
            var details: [String: JSONValue] = [:]
            var problems: [String] = []
            if !missing.isEmpty {
                details["missing_columns"] = .strings(missing)
                problems.append("missing required columns: \(missing.joined(separator: ", "))")
            }
            if !duplicates.isEmpty {
                details["duplicate_columns"] = .strings(duplicates)
                problems.append("duplicate columns: \(duplicates.joined(separator: ", "))")
            }
            throw CatalogError.invalidFeed(
                "The header row of this \(type.rawValue) feed has \(problems.joined(separator: "; ")).",
                details: details)
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        // Fast path: most values start and end with visible ASCII and need no trimming.
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x7F, last > 0x20, last < 0x7F {
            return self
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
