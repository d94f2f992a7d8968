/// Cuts a stream of JSON feed bytes into records without holding more than one: the lines of NDJSON,
/// or the elements of one top-level JSON array (never parsed whole). Each record comes with its
/// position as diagnostics name it: the line (NDJSON) or the element's number, from 1 (arrays).
struct JSONRecordSplitter {
    enum Layout { case lines, array }

    struct Failure: Error, Equatable {
        var message: String
    }

    let layout: Layout
    let maxRecordBytes: Int
    private var record: [UInt8] = []
    private var position = 0
    private var atStart = true
    private var head: [UInt8] = []
    // NDJSON
    private var line = 1
    // Arrays
    private enum State { case beforeArray, beforeElement, inElement, afterElement, done }
    private var state = State.beforeArray
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var scalar = false
    private var offset: Int64 = 0

    init(_ layout: Layout, maxRecordBytes: Int = 64 << 20) {
        self.layout = layout
        self.maxRecordBytes = maxRecordBytes
    }

    mutating func consume(_ bytes: UnsafeRawBufferPointer, _ emit: (Int, [UInt8]) throws -> Void) throws {
        guard atStart else { return try route(bytes, emit) }
        // A byte-order mark may arrive split over chunks: the first bytes wait until it is decided.
        head.append(contentsOf: bytes)
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        if head.count < 3 && bom.starts(with: head) { return }
        atStart = false
        let start = head.starts(with: bom) ? 3 : 0
        let pending = head
        head = []
        try pending.withUnsafeBytes { try route(UnsafeRawBufferPointer(rebasing: $0[start...]), emit) }
    }

    private mutating func route(_ bytes: UnsafeRawBufferPointer, _ emit: (Int, [UInt8]) throws -> Void) throws {
        switch layout {
        case .lines: try consumeLines(bytes, emit)
        case .array: try consumeArray(bytes, emit)
        }
    }

    mutating func finish(_ emit: (Int, [UInt8]) throws -> Void) throws {
        if atStart {
            atStart = false
            let pending = head
            head = []
            try pending.withUnsafeBytes { try route($0, emit) }
        }
        switch layout {
        case .lines:
            try endLine(emit)
        case .array:
            if state == .inElement && scalar && depth == 0 && !inString { try endElement(emit) }
            switch state {
            case .done: return
            case .beforeArray: throw Failure(message: "The JSON feed is empty: it needs an array of objects.")
            default: throw Failure(message: "The JSON array ends prematurely (after element \(position)); the file looks truncated.")
            }
        }
    }

    // MARK: NDJSON

    private mutating func consumeLines(_ bytes: UnsafeRawBufferPointer, _ emit: (Int, [UInt8]) throws -> Void) throws {
        var rest = bytes[...]
        while let newline = rest.firstIndex(of: 0x0A) {
            try append(rest[rest.startIndex..<newline])
            try endLine(emit)
            line += 1
            rest = rest[(newline + 1)...]
        }
        try append(rest)
    }

    private mutating func endLine(_ emit: (Int, [UInt8]) throws -> Void) throws {
        defer { record.removeAll(keepingCapacity: record.count < 1 << 20) }
        if record.last == 0x0D { record.removeLast() }
        guard record.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return }
        try emit(line, record)
    }

    private mutating func append(_ bytes: Slice<UnsafeRawBufferPointer>) throws {
        guard !bytes.isEmpty else { return }
        guard record.count + bytes.count <= maxRecordBytes else {
            let name = layout == .lines ? "Line \(line)" : "Element \(position + 1)"
            throw Failure(message: "\(name) is larger than the maximum record size of \(maxRecordBytes) bytes.")
        }
        record.append(contentsOf: bytes)
    }

    // MARK: JSON arrays

    private mutating func consumeArray(_ bytes: UnsafeRawBufferPointer, _ emit: (Int, [UInt8]) throws -> Void) throws {
        var index = bytes.startIndex
        var elementStart: Int?
        if state == .inElement { elementStart = index }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch state {
            case .beforeArray:
                if isSpace(byte) { break }
                guard byte == UInt8(ascii: "[") else {
                    throw Failure(message: "A JSON feed must be one array of objects; it starts with something else (byte \(offset)).")
                }
                state = .beforeElement
            case .beforeElement:
                if isSpace(byte) { break }
                if byte == UInt8(ascii: "]") && position == 0 { state = .done; break }
                guard byte != UInt8(ascii: ",") && byte != UInt8(ascii: "]") else {
                    throw Failure(message: "The JSON array has an empty element after element \(position) (byte \(offset)).")
                }
                state = .inElement
                elementStart = index
                depth = 0
                inString = false
                escaped = false
                scalar = byte != UInt8(ascii: "{") && byte != UInt8(ascii: "[") && byte != UInt8(ascii: "\"")
                continue  // the same byte starts the element
            case .inElement:
                if inString {
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") {
                        inString = false
                        if depth == 0 { try finishElement(bytes, elementStart, index + 1, emit); elementStart = nil }
                    }
                } else if scalar {
                    if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || isSpace(byte) {
                        try finishElement(bytes, elementStart, index, emit)
                        elementStart = nil
                        continue  // the byte ends the element and is read again after it
                    }
                } else {
                    switch byte {
                    case UInt8(ascii: "\""): inString = true
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 { try finishElement(bytes, elementStart, index + 1, emit); elementStart = nil }
                    default: break
                    }
                }
            case .afterElement:
                if isSpace(byte) { break }
                if byte == UInt8(ascii: ",") { state = .beforeElement; break }
                if byte == UInt8(ascii: "]") { state = .done; break }
                throw Failure(message: "Expected ',' or ']' after element \(position) of the JSON array (byte \(offset)).")
            case .done:
                guard isSpace(byte) else {
                    throw Failure(message: "Text follows the end of the JSON array (byte \(offset)); a feed is one array.")
                }
            }
            index += 1
            offset += 1
        }
        if state == .inElement, let elementStart {
            try append(bytes[elementStart..<bytes.endIndex])
        }
    }

    private mutating func finishElement(
        _ bytes: UnsafeRawBufferPointer, _ start: Int?, _ end: Int, _ emit: (Int, [UInt8]) throws -> Void
    ) throws {
        if let start { try append(bytes[start..<end]) }
        try endElement(emit)
    }

    private mutating func endElement(_ emit: (Int, [UInt8]) throws -> Void) throws {
        position += 1
        state = .afterElement
        defer { record.removeAll(keepingCapacity: record.count < 1 << 20) }
        try emit(position, record)
    }
}
