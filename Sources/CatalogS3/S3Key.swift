import CatalogCore

/// An object key the adapter will send. Keys are limited to SigV4's unreserved characters and `/`,
/// so the path needs no percent-encoding (which curl 7.88 and moto do not agree on) and cannot traverse.
struct S3Key: Sendable {
    let raw: String

    init(_ key: String) throws {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        let unreserved = { (c: UInt8) in
            (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E || c == 0x5F || c == 0x7E
        }
        guard !key.isEmpty, key.utf8.count <= 1024,
              segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && $0.utf8.allSatisfy(unreserved) })
        else { throw ObjectStoreError.notFound(key) }
        raw = key
    }

    var path: String { raw }
}

enum S3Query {
    /// Percent-encodes a query value the way SigV4 canonicalises it, so curl's as-written signing matches.
    static func encode(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
