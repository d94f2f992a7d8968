import CatalogCore
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
        buffer.writeString(UTCMicroseconds.timestamptzText(UTCMicroseconds.of(value)))
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
}
