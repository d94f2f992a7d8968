/// A JSON value as a feed record holds it: numbers keep their text, so a price is read as the exact
/// decimal it was written as (never through a binary float).
enum JSONFeedValue: Equatable {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case array([JSONFeedValue])
    case object([JSONFeedMember])

    /// The value as a feed field: text as it is, numbers as written, `true`/`false`, nothing for null,
    /// an array of plain values joined with `|` (as `image_url` takes several URLs), anything nested as
    /// compact JSON (kept whole in `attributes`).
    var fieldText: String {
        switch self {
        case .string(let text), .number(let text): return text
        case .bool(let value): return value ? "true" : "false"
        case .null: return ""
        case .array(let elements):
            if elements.allSatisfy(\.isPlain) { return elements.filter { $0 != .null }.map(\.fieldText).joined(separator: "|") }
            return compactJSON
        case .object: return compactJSON
        }
    }

    var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    private var isPlain: Bool {
        switch self {
        case .string, .number, .bool, .null: true
        case .array, .object: false
        }
    }

    var compactJSON: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .string(let text): JSONText.append(text, to: &out)
        case .number(let text): out += text
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                element.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                JSONText.append(member.name, to: &out)
                out += ":"
                member.value.write(to: &out)
            }
            out += "}"
        }
    }
}

/// One member of a JSON object, in the order written.
struct JSONFeedMember: Equatable {
    var name: String
    var value: JSONFeedValue
}
