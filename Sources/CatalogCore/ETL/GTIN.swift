/// GS1 Global Trade Item Numbers (§Unified catalog): EAN-8, UPC-A (12 digits), EAN-13 and GTIN-14
/// inputs, stored as GTIN-14 (leading zeros added), so that one product written in any of these forms
/// has one key.
public enum GTIN {
    public enum Failure: Error, Equatable, Sendable {
        case notDigits
        case wrongLength(Int)
        case checkDigit
        case allZeros
    }

    public static let validLengths: Set<Int> = [8, 12, 13, 14]

    /// Spaces and hyphens are dropped (`4006381-333931`, `0 12345 67890 5`); what remains must be 8, 12,
    /// 13 or 14 digits whose last is the GS1 check digit of the others.
    public static func normalise(_ text: String) -> Result<String, Failure> {
        var digits: [UInt8] = []
        digits.reserveCapacity(14)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(byte - UInt8(ascii: "0"))
            case UInt8(ascii: " "), UInt8(ascii: "-"), 0x09: continue
            default: return .failure(.notDigits)
            }
        }
        guard validLengths.contains(digits.count) else { return .failure(.wrongLength(digits.count)) }
        guard digits.contains(where: { $0 != 0 }) else { return .failure(.allZeros) }
        guard checkDigit(of: digits.dropLast()) == digits.last else { return .failure(.checkDigit) }
        let padded = [UInt8](repeating: 0, count: 14 - digits.count) + digits
        return .success(String(decoding: padded.map { $0 + UInt8(ascii: "0") }, as: UTF8.self))
    }

    /// GS1's mod-10 check digit: from the right, the digits are weighted 3, 1, 3, 1, …
    public static func checkDigit<Digits: BidirectionalCollection<UInt8>>(of digits: Digits) -> UInt8 {
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            sum += Int(digit) * (offset % 2 == 0 ? 3 : 1)
        }
        return UInt8((10 - sum % 10) % 10)
    }

    static func message(for failure: Failure) -> String {
        switch failure {
        case .notDigits: "gtin must hold digits only (spaces and hyphens are ignored)."
        case .wrongLength(let count): "gtin must have 8, 12, 13 or 14 digits, not \(count)."
        case .checkDigit: "gtin's check digit is wrong (GS1 mod 10)."
        case .allZeros: "gtin must not be all zeros."
        }
    }
}
