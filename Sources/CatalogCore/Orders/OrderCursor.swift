/// The opaque cursor of `GET /orders`: the last order's `ordered_at` (microseconds) and sequence number.
public enum OrderCursor {
    public static func fingerprint(_ filter: OrderFilter) -> String {
        Cursor.fingerprint([
            "orders", filter.partnerName, filter.from.map { String(UTCMicroseconds.of($0)) },
            filter.to.map { String(UTCMicroseconds.of($0)) },
        ])
    }

    public static func encode(_ position: OrderPosition, fingerprint: String) -> String {
        KeysetCursor.encode([String(position.orderedAtMicroseconds), String(position.seq)], fingerprint: fingerprint)
    }

    public static func decode(_ cursor: String, fingerprint: String) throws -> OrderPosition {
        let fields = try KeysetCursor.decode(cursor, fingerprint: fingerprint, count: 2)
        guard let micros = Int64(fields[0]), let seq = Int64(fields[1]) else { throw KeysetCursor.malformed(cursor) }
        return OrderPosition(orderedAtMicroseconds: micros, seq: seq)
    }
}

extension Order {
    public var position: OrderPosition {
        OrderPosition(orderedAtMicroseconds: UTCMicroseconds.of(orderedAt), seq: seq)
    }
}
