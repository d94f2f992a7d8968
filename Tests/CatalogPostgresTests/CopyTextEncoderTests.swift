@testable import CatalogPostgres
import CatalogCore
import Foundation
import Testing

@Suite struct CopyTextEncoderTests {
    func encoded(_ fill: (inout CopyTextEncoder) -> Void) -> String {
        var encoder = CopyTextEncoder(capacity: 64)
        fill(&encoder)
        var buffer = encoder.take()
        return buffer.readString(length: buffer.readableBytes) ?? ""
    }

    @Test func fieldsAreTabSeparatedWithNullsAndEscapes() {
        let row = encoded { encoder in
            encoder.field("plain é")
            encoder.field(nil as String?)
            encoder.field("tab\there\nnew\rline \\ back")
            encoder.field(Int64(-42))
            encoder.field(nil as Int64?)
            encoder.endRow()
        }
        #expect(row == "plain é\t\\N\ttab\\there\\nnew\\rline \\\\ back\t-42\t\\N\n")
    }

    @Test func timestampsAreUTCWithMicroseconds() {
        #expect(UTCMicroseconds.timestamptzText(0) == "1970-01-01 00:00:00.000000+00")
        #expect(UTCMicroseconds.timestamptzText(1_790_000_000_123_456) == "2026-09-21 14:13:20.123456+00")
        #expect(UTCMicroseconds.timestamptzText(-1) == "1969-12-31 23:59:59.999999+00")
        #expect(UTCMicroseconds.timestamptzText(951_782_400_000_000) == "2000-02-29 00:00:00.000000+00")
    }
}
