import Foundation

/// How a fetch authenticates to the vendor (§Sources `auth`). Responses and logs only ever see
/// `masked`; the clear values are sealed at rest (`SecretBox`) and opened by the fetcher.
public enum SourceAuth: Sendable, Equatable {
    case bearer(token: String)
    case basic(username: String, password: String)
    case header(name: String, value: String)

    public static let mask = "****"

    public static func parse(_ value: JSONValue) throws -> SourceAuth? {
        func text(_ fields: [String: JSONValue], _ key: String) throws -> String {
            guard case .string(let value)? = fields[key], !value.isEmpty, value.utf8.count <= 4096,
                  !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            else {
                throw CatalogError.validation("auth.\(key) is required: a non-empty text without control characters.", parameter: "auth.\(key)")
            }
            return value
        }
        switch value {
        case .null: return nil
        case .object(let fields):
            switch fields["type"] {
            case .string("bearer")?: return .bearer(token: try text(fields, "token"))
            case .string("basic")?: return .basic(username: try text(fields, "username"), password: try text(fields, "password"))
            case .string("header")?:
                let name = try text(fields, "name")
                guard name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
                    throw CatalogError.validation("auth.name must be an HTTP header name.", parameter: "auth.name", value: name)
                }
                return .header(name: name, value: try text(fields, "value"))
            default:
                throw CatalogError.validation("auth.type must be bearer, basic or header.", parameter: "auth.type")
            }
        default:
            throw CatalogError.validation("auth must be an object or null.", parameter: "auth")
        }
    }

    /// The same credentials with every secret replaced by `****`.
    public var masked: SourceAuth {
        switch self {
        case .bearer: .bearer(token: Self.mask)
        case .basic(let username, _): .basic(username: username, password: Self.mask)
        case .header(let name, _): .header(name: name, value: Self.mask)
        }
    }

    /// The request header that carries the credentials.
    public var header: (String, String) {
        switch self {
        case .bearer(let token): ("Authorization", "Bearer \(token)")
        case .basic(let username, let password): ("Authorization", "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        case .header(let name, let value): (name, value)
        }
    }

    /// The secret values, which error texts are scrubbed of.
    public var secrets: [String] {
        switch self {
        case .bearer(let token): [token]
        case .basic(_, let password): [password]
        case .header(_, let value): [value]
        }
    }

    public var json: String {
        var writer = JSONObjectWriter()
        switch self {
        case .bearer(let token):
            writer.string("type", "bearer")
            writer.string("token", token)
        case .basic(let username, let password):
            writer.string("type", "basic")
            writer.string("username", username)
            writer.string("password", password)
        case .header(let name, let value):
            writer.string("type", "header")
            writer.string("name", name)
            writer.string("value", value)
        }
        return writer.json
    }

    /// Reads back what `json` wrote (stored masked credentials, opened sealed ones).
    public static func decode(_ json: String) -> SourceAuth? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) else { return nil }
        return try? parse(value)
    }
}
