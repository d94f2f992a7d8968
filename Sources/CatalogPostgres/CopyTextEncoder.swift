import Foundation
import NIOCore

/// Rows in COPY's text format: tab-separated, `\N` for NULL, backslash escapes for the characters
/// that would end a field or a row.
struct CopyTextEncoder {
    private(set) var buffer: ByteBuffer
    private var fieldsInRow = 0

    init(capacity: Int = 1 << 20) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    mutating func field(_ value: String?) {
        separate()
        guard var value else {
            buffer.writeStaticString("\\N")
            return
        }
        value.withUTF8 { bytes in
            // Most fields need no escaping: one scan, then one copy.
            guard bytes.contains(where: { $0 == 0x5C || $0 < 0x20 }) else {
                buffer.writeBytes(bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case 0x5C: buffer.writeStaticString("\\\\")
                case 0x09: buffer.writeStaticString("\\t")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                case 0x08: buffer.writeStaticString("\\b")
                case 0x0C: buffer.writeStaticString("\\f")
                case 0x0B: buffer.writeStaticString("\\v")
                default: buffer.writeInteger(byte)
                }
            }
        }
    }

    mutating func field(_ value: Int64?) {
        separate()
        guard let value else {
            buffer.writeStaticString("\\N")
            return
        }
        buffer.writeString(String(value))
    }

    mutating func field(_ value: Int) { field(Int64(value)) }

    /// A timestamp in UTC, as PostgreSQL reads `timestamptz` text.
    mutating func field(_ value: Date) {
        separate()
        buffer.writeString(Self.timestamp(Int64((value.timeIntervalSince1970 * 1_000_000).rounded())))
    }

    mutating func endRow() {
        buffer.writeInteger(UInt8(0x0A))
        fieldsInRow = 0
    }

    mutating func take() -> ByteBuffer {
        defer { buffer.clear() }
        return buffer
    }

    var byteCount: Int { buffer.readableBytes }

    private mutating func separate() {
        if fieldsInRow > 0 { buffer.writeInteger(UInt8(0x09)) }
        fieldsInRow += 1
    }

    /// `YYYY-MM-DD HH:MM:SS.ffffff+00`
    static func timestamp(_ microseconds: Int64) -> String {
        let seconds = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        var whole = seconds.quotient
        var fraction = seconds.remainder
        if fraction < 0 {
            fraction += 1_000_000
            whole -= 1
        }
        let days = whole.quotientAndRemainder(dividingBy: 86_400)
        var day = days.quotient
        var secondOfDay = days.remainder
        if secondOfDay < 0 {
            secondOfDay += 86_400
            day -= 1
        }
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2)) \(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay % 3600 / 60, 2)):"
            + "\(pad(secondOfDay % 60, 2)).\(pad(fraction, 6))+00"
    }
}
