import Crypto

/// Opaque keyset cursors over several fields (a sort value and a sequence number), bound to the query's
/// fingerprint and sealed with a checksum, so that a truncated or edited cursor is refused (400)
/// instead of silently moving the walk.
public enum KeysetCursor {
    public static func encode(_ fields: [String], fingerprint: String) -> String {
        Cursor.encode(position: fields + [checksum(fields, fingerprint)], fingerprint: fingerprint)
    }

    /// The fields of a cursor made by `encode` with the same fingerprint and `count` fields.
    public static func decode(_ cursor: String, fingerprint: String, count: Int) throws -> [String] {
        let fields = try Cursor.decode(cursor, fingerprint: fingerprint)
        guard fields.count == count + 1, checksum(Array(fields.prefix(count)), fingerprint) == fields[count] else {
            throw malformed(cursor)
        }
        return Array(fields.prefix(count))
    }

    public static func malformed(_ cursor: String) -> CatalogError {
        CatalogError.validation("The cursor is malformed.", parameter: "cursor", value: cursor)
    }

    private static func checksum(_ fields: [String], _ fingerprint: String) -> String {
        let text = ([fingerprint] + fields).joined(separator: "\u{0}")
        return String(Hex.encode(SHA256.hash(data: Array(text.utf8))).prefix(12))
    }
}
