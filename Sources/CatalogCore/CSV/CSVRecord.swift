import Foundation

public enum CSVMalformation: Sendable, Equatable {
    case strayQuote, textAfterClosingQuote, unterminatedQuote, recordTooLarge, tooManyFields

    public var code: String {
        switch self {
        case .strayQuote: "stray_quote"
        case .textAfterClosingQuote: "text_after_closing_quote"
        case .unterminatedQuote: "unterminated_quote"
        case .recordTooLarge: "record_too_large"
        case .tooManyFields: "too_many_fields"
        }
    }

    public var message: String {
        switch self {
        case .strayQuote:
            "A double quote appears inside a field that does not start with a quote; quote the whole field and double the inner quote."
        case .textAfterClosingQuote:
            "Text follows the closing quote of a quoted field; a closing quote must be followed by a comma or the end of the line."
        case .unterminatedQuote:
            "A quoted field is never closed before the end of the file."
        case .recordTooLarge:
            "The record is larger than the maximum allowed record size."
        case .tooManyFields:
            "The record has more fields than the maximum allowed."
        }
    }
}

/// One parsed record: every field's unescaped bytes in one buffer, plus where each field ends.
public struct CSVRecord: Sendable {
    public var line: Int
    public var byteOffset: Int64
    public var byteCount: Int
    public var malformation: CSVMalformation?
    var bytes: [UInt8] = []
    var fieldEnds: [Int] = []
    var firstFieldQuoted = false

    init(line: Int) {
        self.line = line
        self.byteOffset = 0
        self.byteCount = 0
    }

    public init(
        fields: [String], line: Int = 1, byteOffset: Int64 = 0, byteCount: Int = 0,
        malformation: CSVMalformation? = nil
    ) {
        self.init(line: line)
        self.byteOffset = byteOffset
        self.byteCount = byteCount
        self.malformation = malformation
        for field in fields {
            bytes.append(contentsOf: field.utf8)
            fieldEnds.append(bytes.count)
        }
    }

    public var fieldCount: Int { fieldEnds.count }

    /// A copy to keep past the parser's callback, holding just its own bytes: a plain copy would share
    /// the parser's buffer, with all its capacity, and make the parser allocate another for the next record.
    public func detached() -> CSVRecord {
        var copy = self
        copy.bytes = bytes.withUnsafeBufferPointer { Array($0) }
        copy.fieldEnds = fieldEnds.withUnsafeBufferPointer { Array($0) }
        return copy
    }

    public var isBlank: Bool {
        fieldEnds.count == 1 && fieldEnds[0] == 0 && !firstFieldQuoted
    }

    func fieldRange(_ index: Int) -> Range<Int> {
        precondition(index >= 0 && index < fieldEnds.count, "CSV field index out of range")
        return (index == 0 ? 0 : fieldEnds[index - 1])..<fieldEnds[index]
    }

    public func withFieldBytes<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let range = fieldRange(index)
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    public func fieldBytes(_ index: Int) -> ArraySlice<UInt8> {
        bytes[fieldRange(index)]
    }

    public func string(_ index: Int) -> String? {
        String(validating: bytes[fieldRange(index)], as: UTF8.self)
    }

    /// Whether any field holds `byte` (one memchr over the record).
    public func containsByte(_ byte: UInt8) -> Bool {
        bytes.withUnsafeBytes { $0.containsByte(byte) }
    }

    public func strings() -> [String?] {
        (0..<fieldCount).map(string)
    }
}
