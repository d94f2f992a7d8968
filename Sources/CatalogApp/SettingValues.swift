import CatalogCore
import Foundation
import Logging

/// Settings as text by variable name, read with the same words and one error form for every setting.
struct SettingValues {
    let values: [String: String]

    init(_ values: [String: String]) {
        self.values = values
    }

    /// The value, or nil when it is unset or empty.
    func text(_ name: String) -> String? {
        guard let raw = values[name], !raw.isEmpty else { return nil }
        return raw
    }

    /// true, 1, yes, on / false, 0, no, off (any case).
    func boolean(_ name: String) throws -> Bool? {
        guard let raw = text(name) else { return nil }
        guard let value = BooleanWord.parse(raw) else {
            throw CatalogError.validation(
                "\(name) must be true or false (also 1/0, yes/no, on/off).", parameter: name, value: raw)
        }
        return value
    }

    func whole(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let raw = text(name) else { return nil }
        guard let value = Int(raw.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            let bounds = range.upperBound == Int.max ? "of at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            throw CatalogError.validation("\(name) must be a whole number \(bounds).", parameter: name, value: raw)
        }
        return value
    }

    func bytes(_ name: String, minimum: Int64) throws -> Int64? {
        guard let raw = text(name) else { return nil }
        guard let value = Int64(raw.trimmingCharacters(in: .whitespaces)), value >= minimum else {
            throw CatalogError.validation("\(name) must be a number of bytes of at least \(minimum).", parameter: name, value: raw)
        }
        return value
    }

    func duration(_ name: String) throws -> Duration? {
        guard let raw = text(name) else { return nil }
        guard let value = Self.duration(raw) else {
            throw CatalogError.validation(
                "\(name) must be a duration such as 60s, 2m, 1h or a number of seconds (0: never).", parameter: name, value: raw)
        }
        return value
    }

    func logLevel(_ name: String) throws -> Logger.Level? {
        guard let raw = text(name) else { return nil }
        guard let level = Logger.Level(rawValue: raw.lowercased()) else {
            throw CatalogError.validation(
                "Unknown log level '\(raw)': use trace, debug, info, notice, warning, error or critical.", parameter: name, value: raw)
        }
        return level
    }

    /// `60s`, `2m`, `1h`, `500ms` or plain seconds (`90`, `1.5`), up to a year.
    static func duration(_ text: String) -> Duration? {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(text)
        var scale = 1.0
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            scale = factor
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let value = Double(number), value.isFinite, value >= 0, value * scale <= 365 * 86400
        else { return nil }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }
}

/// The boolean words every setting takes.
public enum BooleanWord {
    public static func parse(_ raw: String) -> Bool? {
        switch raw.lowercased() {
        case "true", "1", "yes", "on": true
        case "false", "0", "no", "off": false
        default: nil
        }
    }
}
