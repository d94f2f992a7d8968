import CatalogCore
import Testing

@Suite struct ExactDecimalTests {
    @Test(arguments: [
        ("19.99", 199_900, "19.99"), ("0", 0, "0"), ("5", 50_000, "5"), ("$249.00", 2_490_000, "249"),
        ("0.0001", 1, "0.0001"), (" 12.5 ", 125_000, "12.5"), ("1299.00", 12_990_000, "1299"), (".5", 5_000, "0.5"),
        ("999999999999.9999", 9_999_999_999_999_999, "999999999999.9999"),
    ])
    func parsesExactly(_ text: String, _ units: Int64, _ description: String) throws {
        let value = try ExactDecimal.parse(text).get()
        #expect(value.units == units)
        #expect(value.description == description)
    }

    @Test(arguments: [
        ("", ExactDecimal.ParseError.empty), ("abc", .notANumber), ("-1", .negative), ("9,99", .groupingSeparator),
        ("1,299.00", .groupingSeparator), ("1e3", .notANumber), ("NaN", .notANumber), ("1.23456", .tooManyFractionDigits),
        ("1.2.3", .notANumber), (".", .notANumber), ("$", .empty), ("+5", .notANumber), ("1000000000000", .tooLarge),
        ("99999999999999999999999", .tooLarge),
    ])
    func rejects(_ text: String, _ error: ExactDecimal.ParseError) {
        #expect(ExactDecimal.parse(text) == .failure(error))
    }

    @Test func roundTripsThroughItsDescription() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let value = ExactDecimal(units: Int64.random(in: 0...ExactDecimal.maxUnits, using: &generator))
            #expect(try ExactDecimal.parse(value.description).get() == value)
        }
    }
}
