import CatalogCore
import HTTPTypes
import Hummingbird

/// Query parameters checked against the names an endpoint knows; anything else is a 400.
struct QueryParameters {
    private var values: [String: String] = [:]

    init(_ request: Request, allowed: Set<String>) throws {
        for (name, value) in request.uri.queryParameters {
            let name = String(name)
            guard allowed.contains(name) else {
                throw CatalogError.validation(
                    "Unknown query parameter '\(name)'. Allowed: \(allowed.sorted().joined(separator: ", ")).",
                    parameter: name)
            }
            guard values[name] == nil else {
                throw CatalogError.validation("Query parameter '\(name)' is given twice.", parameter: name)
            }
            values[name] = String(value)
        }
    }

    subscript(_ name: String) -> String? {
        values[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    func enumValue<T: RawRepresentable & CaseIterable>(_ name: String, as: T.Type = T.self) throws -> T? where T.RawValue == String {
        try EnumParameter.parse(self[name], parameter: name)
    }

    func limit(default value: Int = 50, max: Int = 200) throws -> Int {
        guard let raw = self["limit"] else { return value }
        guard let limit = Int(raw), (1...max).contains(limit) else {
            throw CatalogError.validation("limit must be an integer from 1 to \(max).", parameter: "limit", value: raw)
        }
        return limit
    }

    func boolean(_ name: String) throws -> Bool? {
        guard let raw = self[name] else { return nil }
        switch raw.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw CatalogError.validation("\(name) must be true or false.", parameter: name, value: raw)
        }
    }

    func seconds(_ name: String, default value: Double, max: Double) throws -> Double {
        guard let raw = self[name] else { return value }
        guard let seconds = Double(raw), seconds.isFinite, seconds >= 0, seconds <= max else {
            throw CatalogError.validation("\(name) must be a number of seconds from 0 to \(Int(max)).", parameter: name, value: raw)
        }
        return seconds
    }

    func identifier(_ name: String, kind: IDKind) throws -> String? {
        guard let raw = self[name] else { return nil }
        guard kind.number(of: raw) != nil else {
            throw CatalogError.validation("\(name) must be an ID like \(kind.format(1)).", parameter: name, value: raw)
        }
        return raw
    }

    /// A page request whose cursor must come from the same query (same filters).
    func page(fingerprint parts: [String?]) throws -> (PageRequest, String) {
        let fingerprint = Cursor.fingerprint(parts)
        let after = try Cursor.decodeSequence(self["cursor"], fingerprint: fingerprint)
        return (PageRequest(limit: try limit(), after: after), fingerprint)
    }
}
