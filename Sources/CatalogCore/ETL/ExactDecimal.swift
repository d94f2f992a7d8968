/// A non-negative amount with up to four fraction digits, held exactly as an integer count of
/// ten-thousandths. Money never passes through binary floating point.
public struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let scale: Int64 = 10_000
    /// 999,999,999,999.9999: keeps sums of many amounts far from Int64 overflow.
    public static let maxUnits: Int64 = 9_999_999_999_999_999

    public let units: Int64

    public init(units: Int64) {
        self.units = units
    }

    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool { lhs.units < rhs.units }

    public enum ParseError: Error, Equatable {
        case empty, notANumber, negative, tooManyFractionDigits, groupingSeparator, tooLarge
    }

    /// Accepts `12`, `12.5`, `0.9999`, `$12.50` (a leading `$` is tolerated); rejects signs, exponents,
    /// grouping or decimal commas (`1,299.00`, `9,99`), `NaN` and more than four fraction digits.
    public static func parse(_ text: some StringProtocol) -> Result<ExactDecimal, ParseError> {
        var bytes = Substring(text).utf8[...]
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes = bytes.dropFirst() }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes = bytes.dropLast() }
        if bytes.first == UInt8(ascii: "$") { bytes = bytes.dropFirst() }
        guard !bytes.isEmpty else { return .failure(.empty) }
        if bytes.first == UInt8(ascii: "-") { return .failure(.negative) }
        if bytes.contains(UInt8(ascii: ",")) { return .failure(.groupingSeparator) }

        var integer: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenPoint = false
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { return .failure(.notANumber) }
                seenPoint = true
                continue
            }
            guard byte >= 0x30, byte <= 0x39 else { return .failure(.notANumber) }
            let digit = Int64(byte - 0x30)
            digits += 1
            if seenPoint {
                fractionDigits += 1
                guard fractionDigits <= 4 else { return .failure(.tooManyFractionDigits) }
                fraction = fraction * 10 + digit
            } else {
                guard integer <= (maxUnits / scale) else { return .failure(.tooLarge) }
                integer = integer * 10 + digit
            }
        }
        guard digits > 0 else { return .failure(.notANumber) }
        while fractionDigits < 4 {
            fraction *= 10
            fractionDigits += 1
        }
        let (scaled, overflow) = integer.multipliedReportingOverflow(by: scale)
        guard !overflow, scaled <= maxUnits - fraction else { return .failure(.tooLarge) }
        return .success(ExactDecimal(units: scaled + fraction))
    }

    /// The shortest exact decimal text: `19.99`, `5`, `0.0001`.
    public var description: String {
        let integer = units / Self.scale
        var fraction = units % Self.scale
        guard fraction != 0 else { return String(integer) }
        var width = 4
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        let digits = String(fraction)
        return "\(integer)." + String(repeating: "0", count: width - digits.count) + digits
    }
}
