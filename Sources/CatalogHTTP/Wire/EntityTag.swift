import CatalogCore
import Crypto
import HTTPTypes

/// Strong entity tags over a representation's bytes, and `If-None-Match` matching (RFC 9110 §13.1.2).
enum EntityTag {
    static func of(_ body: String) -> String {
        "\"" + Hex.encode(SHA256.hash(data: Array(body.utf8)).prefix(16)) + "\""
    }

    /// Whether `If-None-Match` names `tag` (weak comparison) or is `*`.
    static func matches(ifNoneMatch header: String?, _ tag: String) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { candidate in
            var candidate = candidate.trimmingCharacters(in: .whitespaces)
            if candidate == "*" { return true }
            if candidate.hasPrefix("W/") { candidate.removeFirst(2) }
            return candidate == tag
        }
    }
}
