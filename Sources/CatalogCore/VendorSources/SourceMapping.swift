import Foundation

/// How a vendor's records become the catalog's columns (§Sources `mapping`). Each mapped column takes
/// the value at a path (a column name of a CSV/TSV file, a dotted JSON path with `[*]` for arrays,
/// whose values are joined with `|`), then `default` when there is none, `map`, `case`, and an exact
/// `divide_by`. A field the mapping does not read keeps its name when it is a contract column the
/// mapping does not fill (matched as uploads are); any other goes to `attributes` when `keep_unmapped`,
/// else it is dropped.
public struct SourceMapping: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var column: String
        public var path: JSONPath
        public var defaultValue: String?
        /// A power of ten: 10, 100 …
        public var divideBy: Int64?
        public var map: [String: String]?
        public var letterCase: LetterCase?
        /// Written as a plain path (no options), as given.
        var isPlain: Bool { defaultValue == nil && divideBy == nil && map == nil && letterCase == nil }
    }

    public enum LetterCase: String, Sendable, Equatable {
        case upper, lower
    }

    public var fields: [Field]
    public var keepUnmapped: Bool

    public static let maxFields = 100

    public static func parse(_ value: JSONValue, feedType: FeedType) throws -> SourceMapping? {
        guard case .object(let top) = value else {
            if value == .null { return nil }
            throw CatalogError.validation("mapping must be an object or null.", parameter: "mapping")
        }
        if let unknown = top.keys.sorted().first(where: { $0 != "fields" && $0 != "keep_unmapped" }) {
            throw CatalogError.validation("mapping has an unknown field '\(unknown)'.", parameter: "mapping.\(unknown)")
        }
        var keepUnmapped = false
        if let given = top["keep_unmapped"] {
            guard case .bool(let flag) = given else {
                throw CatalogError.validation("mapping.keep_unmapped must be true or false.", parameter: "mapping.keep_unmapped")
            }
            keepUnmapped = flag
        }
        guard case .object(let entries)? = top["fields"], !entries.isEmpty, entries.count <= maxFields else {
            throw CatalogError.validation("mapping.fields must be an object of 1–\(maxFields) columns.", parameter: "mapping.fields")
        }
        let columns = FeedColumns.known(feedType)
        let unknown = entries.keys.filter { !columns.contains(FeedColumns.canonical($0, for: feedType)) }.sorted()
        guard unknown.isEmpty else {
            throw CatalogError(.validationError,
                "mapping.fields names columns a \(feedType.rawValue) feed does not have: \(unknown.joined(separator: ", ")). "
                    + "Columns: \(columns.sorted().joined(separator: ", ")).",
                details: ["parameter": .string("mapping.fields"), "unknown_columns": .strings(unknown)])
        }
        var fields: [Field] = []
        var seen = Set<String>()
        for name in entries.keys.sorted() {
            let column = FeedColumns.canonical(name, for: feedType)
            guard seen.insert(column).inserted else {
                throw CatalogError.validation("mapping.fields names the column \(column) twice.", parameter: "mapping.fields.\(name)")
            }
            fields.append(try field(column, name, entries[name]!))
        }
        return SourceMapping(fields: fields, keepUnmapped: keepUnmapped)
    }

    private static func field(_ column: String, _ name: String, _ value: JSONValue) throws -> Field {
        let parameter = "mapping.fields.\(name)"
        switch value {
        case .string(let path):
            return Field(column: column, path: try JSONPath.parse(path, parameter: parameter))
        case .object(let options):
            let known: Set = ["path", "default", "divide_by", "map", "case"]
            if let unknown = options.keys.sorted().first(where: { !known.contains($0) }) {
                throw CatalogError.validation("\(parameter) has an unknown option '\(unknown)'.", parameter: "\(parameter).\(unknown)")
            }
            guard case .string(let pathText)? = options["path"] else {
                throw CatalogError.validation("\(parameter).path is required.", parameter: "\(parameter).path")
            }
            var field = Field(column: column, path: try JSONPath.parse(pathText, parameter: "\(parameter).path"))
            switch options["default"] {
            case nil, .null?: break
            case .string(let text)?: field.defaultValue = text
            case .int(let number)?: field.defaultValue = String(number)
            case .bool(let flag)?: field.defaultValue = flag ? "true" : "false"
            default: throw CatalogError.validation("\(parameter).default must be a text or a number.", parameter: "\(parameter).default")
            }
            if let given = options["divide_by"] {
                guard case .int(let divisor) = given, divisor >= 10, powerOfTen(divisor) != nil else {
                    throw CatalogError.validation("\(parameter).divide_by must be a power of ten (10, 100, 1000 …).", parameter: "\(parameter).divide_by")
                }
                field.divideBy = divisor
            }
            if let given = options["map"] {
                guard case .object(let pairs) = given, !pairs.isEmpty else {
                    throw CatalogError.validation("\(parameter).map must be an object of value: replacement.", parameter: "\(parameter).map")
                }
                var map: [String: String] = [:]
                for (from, to) in pairs {
                    switch to {
                    case .string(let text): map[from] = text
                    case .int(let number): map[from] = String(number)
                    default: throw CatalogError.validation("\(parameter).map values must be texts.", parameter: "\(parameter).map.\(from)")
                    }
                }
                field.map = map
            }
            if let given = options["case"] {
                guard case .string(let text) = given, let letterCase = LetterCase(rawValue: text) else {
                    throw CatalogError.validation("\(parameter).case must be upper or lower.", parameter: "\(parameter).case")
                }
                field.letterCase = letterCase
            }
            return field
        default:
            throw CatalogError.validation("\(parameter) must be a path or an object with a path.", parameter: parameter)
        }
    }

    /// The exponent of `value` when it is a power of ten.
    static func powerOfTen(_ value: Int64) -> Int? {
        var rest = value
        var exponent = 0
        while rest > 1 {
            guard rest % 10 == 0 else { return nil }
            rest /= 10
            exponent += 1
        }
        return rest == 1 ? exponent : nil
    }

    /// The first member name each path reads: what the mapping counts as mapped.
    var readNames: Set<String> {
        Set(fields.compactMap(\.path.firstName))
    }

    /// The record's fields in the catalog's names, or the diagnostic that skips it.
    func apply(to record: JSONFeedValue, line: Int, feedType: FeedType) -> Result<[(name: String, text: String)], RowDiagnostic> {
        var out: [(name: String, text: String)] = []
        out.reserveCapacity(fields.count + 4)
        for field in fields {
            switch value(of: field, in: record) {
            case .success(let text): out.append((field.column, text))
            case .failure(let reason):
                return .failure(RowDiagnostic(line: line, sku: nil, column: field.column, code: "unmappable_value", message: reason.message, value: reason.value))
            }
        }
        guard case .object(let members) = record else { return .success(out) }
        let read = readNames
        let filled = Set(fields.map(\.column))
        let columns = FeedColumns.known(feedType)
        for member in members where !read.contains(member.name) {
            let canonical = FeedColumns.canonical(member.name, for: feedType)
            if columns.contains(canonical) {
                if !filled.contains(canonical) { out.append((member.name, member.value.fieldText)) }
            } else if keepUnmapped {
                out.append((member.name, member.value.fieldText))
            }
        }
        return .success(out)
    }

    struct Unmappable: Error {
        var message: String
        var value: String?
    }

    private func value(of field: Field, in record: JSONFeedValue) -> Result<String, Unmappable> {
        let found = field.path.values(in: record).filter { $0 != .null }
        var text = found.map(\.fieldText).joined(separator: "|")
        if text.isEmpty, let fallback = field.defaultValue { text = fallback }
        if let map = field.map, !text.isEmpty {
            if let mapped = map[text] ?? map.first(where: { $0.key.caseInsensitiveCompare(text) == .orderedSame })?.value { text = mapped }
        }
        switch field.letterCase {
        case .upper?: text = text.uppercased()
        case .lower?: text = text.lowercased()
        case nil: break
        }
        if let divisor = field.divideBy, !text.isEmpty {
            guard let exponent = Self.powerOfTen(divisor), let divided = Self.shiftDecimal(text, by: exponent) else {
                return .failure(Unmappable(message: "'\(field.path.text)' is not a decimal number to divide by \(divisor).", value: String(text.prefix(200))))
            }
            text = divided
        }
        return .success(text)
    }

    /// `text` (a decimal number as written) divided by 10^`places`, exactly, as decimal text.
    static func shiftDecimal(_ text: String, by places: Int) -> String? {
        var body = Substring(text.trimmingWhitespace())
        var sign = ""
        if body.first == "-" || body.first == "+" {
            if body.first == "-" { sign = "-" }
            body = body.dropFirst()
        }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty || (parts.count == 2 && !parts[1].isEmpty),
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }), whole.count + (parts.count == 2 ? parts[1].count : 0) <= 40
        else { return nil }
        var digits = String(whole) + (parts.count == 2 ? String(parts[1]) : "")
        var scale = (parts.count == 2 ? parts[1].count : 0) + places
        if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
        var integer = String(digits.dropLast(scale))
        var fraction = String(digits.suffix(scale))
        while fraction.last == "0" { fraction.removeLast(); scale -= 1 }
        while integer.count > 1 && integer.first == "0" { integer.removeFirst() }
        if integer.isEmpty { integer = "0" }
        return sign + integer + (fraction.isEmpty ? "" : "." + fraction)
    }

    public var json: String {
        var fieldsWriter = JSONObjectWriter()
        for field in fields {
            if field.isPlain {
                fieldsWriter.string(field.column, field.path.text)
                continue
            }
            var options = JSONObjectWriter()
            options.string("path", field.path.text)
            if let value = field.defaultValue { options.string("default", value) }
            if let divisor = field.divideBy { options.integer("divide_by", divisor) }
            if let map = field.map {
                var mapWriter = JSONObjectWriter()
                for key in map.keys.sorted() { mapWriter.string(key, map[key]) }
                options.raw("map", mapWriter.json)
            }
            if let letterCase = field.letterCase { options.string("case", letterCase.rawValue) }
            fieldsWriter.raw(field.column, options.json)
        }
        var writer = JSONObjectWriter()
        writer.raw("fields", fieldsWriter.json)
        writer.raw("keep_unmapped", keepUnmapped ? "true" : "false")
        return writer.json
    }

    /// Reads back what `json` wrote (a feed's stored mapping).
    public static func decode(_ json: String, feedType: FeedType) -> SourceMapping? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) else { return nil }
        return try? parse(value, feedType: feedType)
    }
}
