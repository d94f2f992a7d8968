/// Compact JSON for the text columns; hand-written because JSONEncoder costs more than the rest of a row.
public enum JSONText {
    public static func array(_ values: [String]) -> String {
        var out = "["
        for (index, value) in values.enumerated() {
            if index > 0 { out += "," }
            append(value, to: &out)
        }
        return out + "]"
    }

    public static func object(_ values: [String: String]) -> String {
        var out = "{"
        for (index, key) in values.keys.sorted().enumerated() {
            if index > 0 { out += "," }
            append(key, to: &out)
            out += ":"
            append(values[key]!, to: &out)
        }
        return out + "}"
    }

    @inlinable
    public static func append<Output: JSONOutput>(_ string: String, to out: inout Output) {
        out.appendJSON("\"")
        var plain = true
        for byte in string.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            plain = false
            break
        }
        guard !plain else {
            out.appendJSON(string)
            out.appendJSON("\"")
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out.appendJSON("\\\"")
            case "\\": out.appendJSON("\\\\")
            case "\n": out.appendJSON("\\n")
            case "\r": out.appendJSON("\\r")
            case "\t": out.appendJSON("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out.appendJSON("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: out.appendJSON(scalar)
            }
        }
        out.appendJSON("\"")
    }
}

/// Where hand-written JSON goes: a String, or (in the HTTP adapter) straight into a response's bytes,
/// which skips String's growth and validation on every append of a list page.
public protocol JSONOutput {
    mutating func appendJSON(_ text: String)
    mutating func appendJSON(_ scalar: Unicode.Scalar)
}

extension String: JSONOutput {
    @inlinable public mutating func appendJSON(_ text: String) { self += text }
    @inlinable public mutating func appendJSON(_ scalar: Unicode.Scalar) { unicodeScalars.append(scalar) }
}
