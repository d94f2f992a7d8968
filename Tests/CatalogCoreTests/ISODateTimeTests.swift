import CatalogCore
import Foundation
import Testing

@Suite struct ISODateTimeTests {
    @Test(arguments: [
        ("2026-11-21", 1_795_219_200.0), ("2026-11-21T10:15:00Z", 1_795_256_100.0), ("2026-11-21T10:15:00", 1_795_256_100.0),
        ("2026-11-21 10:15:00Z", 1_795_256_100.0), ("2026-11-21T11:15:00+01:00", 1_795_256_100.0),
        ("2026-11-21T05:15:00-0500", 1_795_256_100.0), ("2026-11-21T10:15:00.250Z", 1_795_256_100.25),
        ("2026-11-21T10:15Z", 1_795_256_100.0), ("2024-02-29", 1_709_164_800.0), ("1970-01-01T00:00:00Z", 0.0),
    ])
    func parsesToUTC(_ text: String, _ epoch: Double) throws {
        #expect(try #require(ISODateTime.parse(text)).timeIntervalSince1970 == epoch)
    }

    @Test(arguments: ["2026-13-01", "2026-02-29", "2026-11-31", "2026-11-21T24:00:00Z", "2026-11-21T10:60Z", "21/11/2026",
                      "2026-11-21T10:15:00+25:00", "2026-11-21Tfoo", "", "2026-11-21T10:15:00Zjunk", "2026-1-1"])
    func rejects(_ text: String) {
        #expect(ISODateTime.parse(text) == nil)
    }

    @Test func agreesWithFoundationOnRandomInstants() throws {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let date = Date(timeIntervalSince1970: Double(Int64.random(in: -2_000_000_000...4_000_000_000, using: &generator)))
            #expect(ISODateTime.parse(date.formatted(style)) == date)
        }
    }
}
