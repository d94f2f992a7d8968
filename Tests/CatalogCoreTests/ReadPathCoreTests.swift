import CatalogCore
import Foundation
import Testing

/// Timestamps and cursors of the read path, checked against Foundation on random inputs.
@Suite struct ReadPathCoreTests {
    /// Foundation's whole-second formatting plus the milliseconds as an integer. (Its fractional-second
    /// formatting truncates the binary fraction, so `….034` may come out as `….033`.)
    static func reference(_ millis: Int64) -> String {
        let (seconds, fraction) = (millis - ((millis % 1000) + 1000) % 1000, ((millis % 1000) + 1000) % 1000)
        let whole = Date(timeIntervalSince1970: Double(seconds / 1000))
            .formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt))
        return whole.dropLast() + "." + String(format: "%03d", Int(fraction)) + "Z"
    }

    @Test func timestampsFormatAndParseLikeFoundation() {
        for _ in 0..<2000 {
            // Milliseconds from 1901 to 2099: the precision the stores keep.
            let millis = Int64.random(in: -2_177_452_800_000...4_102_444_800_000)
            let date = UTCMicroseconds.date(millis * 1000)
            #expect(abs(date.timeIntervalSince1970 - Double(millis) / 1000) < 0.000_001)
            #expect(UTCMicroseconds.iso8601(date) == Self.reference(millis), "\(millis)")
            let text = UTCMicroseconds.sqliteText(millis * 1000)
            #expect(UTCMicroseconds.parseSQLiteText(text) == millis * 1000, "\(text)")
            #expect(UTCMicroseconds.of(date) == millis * 1000)
        }
        #expect(UTCMicroseconds.parseSQLiteText("2026-11-21") == 1_795_219_200_000_000)
        #expect(UTCMicroseconds.parseSQLiteText("2026-11-21T10:15:00") == 1_795_256_100_000_000)
        for bad in ["", "2026-11", "2026-13-01", "2026-11-21 10:15", "2026-11-21 10:15:00.", "2026-11-21 10:15:00.12x", "20261121"] {
            #expect(UTCMicroseconds.parseSQLiteText(bad) == nil, "\(bad)")
        }
    }

    @Test func keysetCursorsRefuseEditsAndOtherQueries() throws {
        let cursor = KeysetCursor.encode(["42", "7"], fingerprint: "abc")
        #expect(try KeysetCursor.decode(cursor, fingerprint: "abc", count: 2) == ["42", "7"])
        #expect(throws: CatalogError.self) { try KeysetCursor.decode(cursor, fingerprint: "abd", count: 2) }
        #expect(throws: CatalogError.self) { try KeysetCursor.decode(String(cursor.dropLast(3)), fingerprint: "abc", count: 2) }
        let forged = Cursor.encode(position: ["41", "7", "000000000000"], fingerprint: "abc")
        #expect(throws: CatalogError.self) { try KeysetCursor.decode(forged, fingerprint: "abc", count: 2) }
        let position = ProductPosition(key: .text("Zebra"), seq: 12)
        let fingerprint = ProductCursor.fingerprint(ProductFilter(), sort: .productName, order: .asc)
        #expect(try ProductCursor.decode(ProductCursor.encode(position, fingerprint: fingerprint), fingerprint: fingerprint, sort: .productName)
            == position)
        #expect(throws: CatalogError.self) {
            try ProductCursor.decode(ProductCursor.encode(position, fingerprint: fingerprint), fingerprint: fingerprint, sort: .price)
        }
    }
}
