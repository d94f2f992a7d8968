/// Finds values in an API page's bytes without building a tree: the records array's elements are cut
/// out as the vendor wrote them (exact numbers and strings, no re-encoding), and the `next` value is
/// read from its own few bytes. A page that is not well-formed along the way is refused.
struct JSONPageScanner {
    struct Malformed: Error {
        var offset: Int
    }

    let bytes: [UInt8]

    /// The value at a path of member names, as a byte range; nil when a member is missing or a value on
    /// the way is not an object.
    func find(_ path: JSONPath) throws -> Range<Int>? {
        var start = try skipSpace(0)
        var end = try skipValue(start)
        guard try skipSpace(end) == bytes.count else { throw Malformed(offset: end) }
        for step in path.steps {
            guard case .member(let name) = step else { return nil }
            guard let found = try member(name, inObjectAt: start) else { return nil }
            (start, end) = (found.lowerBound, found.upperBound)
        }
        return start..<end
    }

    /// The byte ranges of the elements of the array at `range`; nil when it is not an array.
    func elements(of range: Range<Int>) throws -> [Range<Int>]? {
        guard bytes[range.lowerBound] == UInt8(ascii: "[") else { return nil }
        var ranges: [Range<Int>] = []
        var index = try skipSpace(range.lowerBound + 1)
        if bytes[index] == UInt8(ascii: "]") { return ranges }
        while true {
            let end = try skipValue(index)
            ranges.append(index..<end)
            index = try skipSpace(end)
            switch bytes[index] {
            case UInt8(ascii: ","): index = try skipSpace(index + 1)
            case UInt8(ascii: "]"): return ranges
            default: throw Malformed(offset: index)
            }
        }
    }

    /// The value of `name` in the object starting at `start`.
    private func member(_ name: String, inObjectAt start: Int) throws -> Range<Int>? {
        guard bytes[start] == UInt8(ascii: "{") else { return nil }
        let wanted = Array(name.utf8)
        var index = try skipSpace(start + 1)
        if bytes[index] == UInt8(ascii: "}") { return nil }
        while true {
            guard bytes[index] == UInt8(ascii: "\"") else { throw Malformed(offset: index) }
            let keyEnd = try skipString(index)
            let matches = try key(index..<keyEnd, equals: wanted, name)
            index = try skipSpace(keyEnd)
            guard bytes[index] == UInt8(ascii: ":") else { throw Malformed(offset: index) }
            let valueStart = try skipSpace(index + 1)
            let valueEnd = try skipValue(valueStart)
            if matches { return valueStart..<valueEnd }
            index = try skipSpace(valueEnd)
            switch bytes[index] {
            case UInt8(ascii: ","): index = try skipSpace(index + 1)
            case UInt8(ascii: "}"): return nil
            default: throw Malformed(offset: index)
            }
        }
    }

    private func key(_ range: Range<Int>, equals wanted: [UInt8], _ name: String) throws -> Bool {
        let inner = bytes[(range.lowerBound + 1)..<(range.upperBound - 1)]
        guard inner.contains(UInt8(ascii: "\\")) else { return inner.elementsEqual(wanted) }
        guard case .success(.string(let decoded)) = JSONFeedParser.parse(Array(bytes[range])) else { throw Malformed(offset: range.lowerBound) }
        return decoded == name
    }

    private func skipSpace(_ start: Int) throws -> Int {
        var index = start
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        return index
    }

    /// The index just past the value starting at `start`, checking the structure (separators, nesting)
    /// but not the scalars, which the ETL reads record by record.
    private func skipValue(_ start: Int, depth: Int = 0) throws -> Int {
        guard start < bytes.count, depth < 512 else { throw Malformed(offset: start) }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return try skipString(start)
        case UInt8(ascii: "{"):
            var index = try skipSpace(start + 1)
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { return index + 1 }
            while true {
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Malformed(offset: index) }
                index = try skipSpace(try skipString(index))
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw Malformed(offset: index) }
                index = try skipSpace(try skipValue(try skipSpace(index + 1), depth: depth + 1))
                guard index < bytes.count else { throw Malformed(offset: index) }
                if bytes[index] == UInt8(ascii: "}") { return index + 1 }
                guard bytes[index] == UInt8(ascii: ",") else { throw Malformed(offset: index) }
                index = try skipSpace(index + 1)
            }
        case UInt8(ascii: "["):
            var index = try skipSpace(start + 1)
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { return index + 1 }
            while true {
                index = try skipSpace(try skipValue(index, depth: depth + 1))
                guard index < bytes.count else { throw Malformed(offset: index) }
                if bytes[index] == UInt8(ascii: "]") { return index + 1 }
                guard bytes[index] == UInt8(ascii: ",") else { throw Malformed(offset: index) }
                index = try skipSpace(index + 1)
            }
        default:
            var index = start
            while index < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) {
                index += 1
            }
            guard index > start else { throw Malformed(offset: start) }
            return index
        }
    }

    /// The index just past the string whose opening quote is at `start`.
    private func skipString(_ start: Int) throws -> Int {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index + 1
            default: index += 1
            }
        }
        throw Malformed(offset: start)
    }

    /// A record's bytes as one NDJSON line: line breaks between tokens become spaces (JSON strings
    /// cannot hold raw ones), so a pretty-printed page still gives one record a line.
    func line(_ range: Range<Int>, into out: inout [UInt8]) {
        for byte in bytes[range] { out.append(byte == 0x0A || byte == 0x0D ? 0x20 : byte) }
        out.append(0x0A)
    }
}
