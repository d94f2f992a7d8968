import Crypto
import Foundation

/// Opaque pagination cursors: a position plus a fingerprint of the query that produced it,
/// so that a cursor replayed against another query is refused instead of silently misread.
public enum Cursor {
    private struct Payload: Codable {
        var v: Int
        var q: String
        var p: [String]
    }

    public static func fingerprint(_ parts: [String?]) -> String {
        let joined = parts.map { $0 ?? "\u{1}" }.joined(separator: "\u{0}")
        return String(Hex.encode(SHA256.hash(data: Array(joined.utf8))).prefix(16))
    }

    /// `{"v":1,"q":…,"p":[…]}` in URL-safe base64 without padding, written by hand: every list page makes
    /// one, and JSONEncoder with Foundation's string replacements cost more than the page's query.
    public static func encode(position: [String], fingerprint: String) -> String {
        var json = "{\"v\":1,\"q\":"
        JSONText.append(fingerprint, to: &json)
        json += ",\"p\":["
        for (index, field) in position.enumerated() {
            if index > 0 { json += "," }
            JSONText.append(field, to: &json)
        }
        json += "]}"
        let base64 = Data(json.utf8).base64EncodedString().utf8.compactMap { byte -> UInt8? in
            switch byte {
            case UInt8(ascii: "+"): UInt8(ascii: "-")
            case UInt8(ascii: "/"): UInt8(ascii: "_")
            case UInt8(ascii: "="): nil
            default: byte
            }
        }
        return String(decoding: base64, as: UTF8.self)
    }

    public static func decode(_ cursor: String, fingerprint: String) throws -> [String] {
        var base64 = cursor.utf8.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: byte
            }
        }
        base64 += repeatElement(UInt8(ascii: "="), count: (4 - base64.count % 4) % 4)
        guard cursor.utf8.count <= 4096,
              let data = Data(base64Encoded: Data(base64)),
              let payload = try? JSONDecoder().decode(Payload.self, from: data),
              payload.v == 1
        else {
            throw CatalogError.validation("The cursor is malformed.", parameter: "cursor", value: cursor)
        }
        guard payload.q == fingerprint else {
            throw CatalogError.validation(
                "The cursor belongs to a different query; repeat the query's parameters unchanged.",
                parameter: "cursor", value: cursor)
        }
        return payload.p
    }

    /// A cursor over a plain sequence number.
    public static func encode(after: Int64?, fingerprint: String) -> String? {
        after.map { encode(position: [String($0)], fingerprint: fingerprint) }
    }

    public static func decodeSequence(_ cursor: String?, fingerprint: String) throws -> Int64? {
        guard let cursor else { return nil }
        let position = try decode(cursor, fingerprint: fingerprint)
        guard position.count == 1, let value = Int64(position[0]) else {
            throw CatalogError.validation("The cursor is malformed.", parameter: "cursor", value: cursor)
        }
        return value
    }
}
