import CatalogCore
import CatalogTestSupport
import Testing

/// §Unified catalog: GS1 check digits and GTIN-14 normalisation.
@Suite struct GTINTests {
    @Test(arguments: [
        ("4006381333931", "04006381333931"),  // EAN-13
        ("036000291452", "00036000291452"),  // UPC-A
        ("96385074", "00000096385074"),  // EAN-8
        ("10012345678902", "10012345678902"),  // GTIN-14
        ("00036000291452", "00036000291452"),  // UPC-A already padded
        ("4006381-333931", "04006381333931"),  // hyphens
        (" 0 36000 29145 2 ", "00036000291452"),  // spaces
    ])
    func everyAcceptedFormIsStoredAsGTIN14(_ input: String, _ stored: String) throws {
        #expect(try GTIN.normalise(input).get() == stored)
    }

    @Test(arguments: [
        ("4006381333932", GTIN.Failure.checkDigit),
        ("036000291453", .checkDigit),
        ("0012345678", .wrongLength(10)),
        ("123", .wrongLength(3)),
        ("400638133393X", .notDigits),
        ("4006381.333931", .notDigits),
        ("４００６３８１３３３９３１", .notDigits),  // full-width digits are not GS1 digits
        ("00000000", .allZeros),
        ("00000000000000", .allZeros),
    ])
    func invalidOnesAreRefusedWithTheReason(_ input: String, _ failure: GTIN.Failure) {
        #expect(throws: failure) { try GTIN.normalise(input).get() }
    }

    /// The mod-10 check digit catches every single-digit error: any body with its digit is valid,
    /// and changing any one digit makes it invalid.
    @Test func theCheckDigitCatchesEverySingleDigitError() throws {
        var random = SeededRandom(seed: 21)
        for _ in 0..<500 {
            let length = [8, 12, 13, 14].randomElement(using: &random)!
            var digits = (0..<(length - 1)).map { _ in UInt8.random(in: 0...9, using: &random) }
            digits[0] = max(digits[0], 1)
            digits.append(GTIN.checkDigit(of: digits))
            let text = String(decoding: digits.map { $0 + 48 }, as: UTF8.self)
            let stored = try GTIN.normalise(text).get()
            #expect(stored.count == 14 && stored.hasSuffix(text))
            let position = Int.random(in: 0..<length, using: &random)
            var wrong = digits
            wrong[position] = (wrong[position] + UInt8.random(in: 1...9, using: &random)) % 10
            let wrongText = String(decoding: wrong.map { $0 + 48 }, as: UTF8.self)
            if wrong.allSatisfy({ $0 == 0 }) { continue }
            #expect(throws: GTIN.Failure.checkDigit) { try GTIN.normalise(wrongText).get() }
        }
    }
}
