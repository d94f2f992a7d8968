import CatalogCore
import Crypto
import HTTPTypes

/// Strong entity tags over a representation's bytes, and `If-None-Match` matching (RFC 9110 §13.1.2).
enum EntityTag {
    static func of(_ body: String) -> String {
        "\"" + Hex.encode(SHA256.hash(data: Array(body.utf8)).prefix(16)) + "\""
    }

    /// Whether `If-None-Match` names `tag` (weak comparison: `W/` ignored on either side) or is `*`.
    static func matches(ifNoneMatch header: String?, _ tag: String) -> Bool {
        guard let header else { return false }
        let opaque = Self.opaque(tag)
        return header.split(separator: ",").contains { candidate in
            let candidate = candidate.trimmingCharacters(in: .whitespaces)
            return candidate == "*" || Self.opaque(candidate) == opaque
        }
    }

    /// The tag without its weakness indicator.
    static func opaque<S: StringProtocol>(_ tag: S) -> Substring {
        let tag = Substring(tag)
        return tag.hasPrefix("W/") ? tag.dropFirst(2) : tag
    }

    /// The same tag, weak: what a representation that is not byte-identical (compressed) carries.
    static func weak(_ tag: String) -> String {
        tag.hasPrefix("W/") ? tag : "W/" + tag
    }
}
