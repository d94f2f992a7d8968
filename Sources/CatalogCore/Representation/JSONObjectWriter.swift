import Foundation

/// A JSON object written field by field, for bodies with exact decimals: `decimal` writes the
/// number from `ExactDecimal`'s own text, so money never passes through a Double.
public struct JSONObjectWriter {
    private var text = "{"
    private var empty = true

    public init() {}

    private mutating func key(_ name: String) {
        if !empty { text += "," }
        empty = false
        JSONText.append(name, to: &text)
        text += ":"
    }

    public mutating func string(_ name: String, _ value: String?) {
        key(name)
        if let value { JSONText.append(value, to: &text) } else { text += "null" }
    }

    public mutating func integer(_ name: String, _ value: Int64?) {
        key(name)
        text += value.map(String.init) ?? "null"
    }

    public mutating func decimal(_ name: String, _ value: ExactDecimal?) {
        key(name)
        text += value?.description ?? "null"
    }

    public mutating func timestamp(_ name: String, _ value: Date?) {
        key(name)
        if let value { text += "\"" + UTCMicroseconds.iso8601(value) + "\"" } else { text += "null" }
    }

    /// A value that is JSON already (an object or array written by another writer).
    public mutating func raw(_ name: String, _ json: String) {
        key(name)
        text += json
    }

    public mutating func array(_ name: String, _ elements: [String]) {
        raw(name, "[" + elements.joined(separator: ",") + "]")
    }

    public var json: String { text + "}" }
}
