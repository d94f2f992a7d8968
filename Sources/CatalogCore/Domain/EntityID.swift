/// The kinds of database-counter identifiers: a prefix plus at least five digits.
public enum IDKind: String, Sendable, CaseIterable, Codable {
    case feed = "FD"
    case submissionJob = "JS"
    case validationJob = "JV"
    case product = "PR"
    case partner = "PT"
    case order = "OR"
    case apiKey = "KY"
    case event = "EV"
    case webhook = "WH"
    case webhookDelivery = "WD"
    case source = "SR"
    case sourceFetch = "SF"
    case catalogItem = "CI"

    public var prefix: String { rawValue }

    public func format(_ number: Int64) -> String {
        let digits = String(number)
        let padding = max(0, 5 - digits.count)
        return prefix + String(repeating: "0", count: padding) + digits
    }

    /// The numeric part of an ID of this kind, or nil when `id` is not one.
    public func number(of id: String) -> Int64? {
        guard id.hasPrefix(prefix) else { return nil }
        let digits = id.dropFirst(prefix.count)
        guard digits.count >= 5, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let value = Int64(digits), value > 0, format(value) == id
        else { return nil }
        return value
    }
}
