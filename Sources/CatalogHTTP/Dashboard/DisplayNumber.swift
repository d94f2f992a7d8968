import CatalogCore

/// Figures as the page shows them, written from the exact integers (never through floating point):
/// `1,234`, `1,000.0001`, `249.00`, `62.50`.
enum DisplayNumber {
    static func integer(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        return (value < 0 ? "-" : "") + grouped(digits)
    }

    /// An amount with its thousands grouped and at least two fraction digits; every digit it has is kept.
    static func amount(_ value: ExactDecimal) -> String {
        let text = value.description
        let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
        var fraction = parts.count > 1 ? parts[1] : ""
        while fraction.count < 2 { fraction += "0" }
        return grouped(parts[0]) + "." + fraction
    }

    static func money(_ value: ExactDecimal, _ currency: String) -> String {
        "\(currency) \(amount(value))"
    }

    /// Hundredths of a percent: 6250 → `62.50 %`.
    static func percent(basisPoints: Int64) -> String {
        "\(amount(ExactDecimal(units: basisPoints * 100))) %"
    }

    /// Hundredths of a percent as the API writes `revenue_pct`: 6250 → `62.5`.
    static func apiPercent(basisPoints: Int64) -> String {
        ExactDecimal(units: basisPoints * 100).description
    }

    private static func grouped(_ digits: String) -> String {
        var result: [Character] = []
        for (index, digit) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return String(result.reversed())
    }
}
