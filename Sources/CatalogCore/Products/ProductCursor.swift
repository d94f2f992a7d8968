/// The opaque cursor of `GET /products`: the last product's sort value and sequence number.
public enum ProductCursor {
    public static func fingerprint(_ filter: ProductFilter, sort: ProductSort, order: SortOrder) -> String {
        Cursor.fingerprint([
            "products", filter.partnerName, filter.feedID, filter.sku, filter.brand, filter.category,
            filter.availability?.rawValue, filter.minPrice.map { String($0.units) }, filter.maxPrice.map { String($0.units) },
            filter.text, filter.updatedSince.map { String(UTCMicroseconds.of($0)) }, filter.status.rawValue,
            sort.rawValue, order.rawValue,
        ])
    }

    public static func encode(_ position: ProductPosition, fingerprint: String) -> String {
        let key: String = switch position.key {
        case .none: ""
        case .integer(let value): String(value)
        case .text(let value): value
        }
        return KeysetCursor.encode([key, String(position.seq)], fingerprint: fingerprint)
    }

    public static func decode(_ cursor: String, fingerprint: String, sort: ProductSort) throws -> ProductPosition {
        try decode(cursor, fingerprint: fingerprint, keyKind: sort.keyKind)
    }

    /// A position of any keyset list whose rows are ordered by a key of `keyKind`, then a number.
    public static func decode(_ cursor: String, fingerprint: String, keyKind: SortKeyKind) throws -> ProductPosition {
        let fields = try KeysetCursor.decode(cursor, fingerprint: fingerprint, count: 2)
        guard let seq = Int64(fields[1]) else { throw KeysetCursor.malformed(cursor) }
        let key: ProductPosition.Key
        switch keyKind {
        case .none:
            guard fields[0].isEmpty else { throw KeysetCursor.malformed(cursor) }
            key = .none
        case .integer, .timestamp:
            guard let value = Int64(fields[0]) else { throw KeysetCursor.malformed(cursor) }
            key = .integer(value)
        case .text:
            key = .text(fields[0])
        }
        return ProductPosition(key: key, seq: seq)
    }
}
