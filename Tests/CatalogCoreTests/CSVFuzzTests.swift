import CatalogTestSupport
import Testing
@testable import CatalogCore

private struct Snapshot: Equatable {
    var line: Int
    var byteOffset: Int64
    var byteCount: Int
    var malformation: CSVMalformation?
    var isBlank: Bool
    var fields: [[UInt8]]

    init(_ record: CSVRecord) {
        line = record.line
        byteOffset = record.byteOffset
        byteCount = record.byteCount
        malformation = record.malformation
        isBlank = record.isBlank
        fields = (0..<record.fieldCount).map { Array(record.fieldBytes($0)) }
    }
}

private func snapshots(_ bytes: [UInt8], chunkSize: Int) -> [Snapshot] {
    CSVParser.parseAll(bytes, chunkSize: chunkSize, maxRecordBytes: 24, maxFields: 6).map(Snapshot.init)
}

private let alphabet: [UInt8] = Array("a,\"\r\n".utf8)
private let fieldPieces = ["a", "Zz", "0", ",", "\"", "\r", "\n", "\r\n", " ", "é", "日本", "😀", "\u{FEFF}", "\0"]

private func randomField(_ rng: inout SeededRandom) -> String {
    (0..<Int.random(in: 0...6, using: &rng)).map { _ in fieldPieces.randomElement(using: &rng)! }.joined()
}

private func randomRecords(_ rng: inout SeededRandom) -> [[String]] {
    (0..<Int.random(in: 0...5, using: &rng)).map { _ in
        (0..<Int.random(in: 1...5, using: &rng)).map { _ in randomField(&rng) }
    }
}

private func randomInput(_ rng: inout SeededRandom) -> [UInt8] {
    var bytes: [UInt8]
    switch Int.random(in: 0..<3, using: &rng) {
    case 0:
        bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in
            Int.random(in: 0..<8, using: &rng) == 0 ? UInt8.random(in: 0...255, using: &rng) : alphabet.randomElement(using: &rng)!
        }
    default:
        bytes = Array(randomRecords(&rng).map(CSVWriter.line).joined().utf8)
        for _ in 0..<Int.random(in: 0...3, using: &rng) where !bytes.isEmpty {
            let index = Int.random(in: 0..<bytes.count, using: &rng)
            let byte = alphabet.randomElement(using: &rng)!
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: bytes[index] = byte
            case 1: bytes.insert(byte, at: index)
            default: bytes.remove(at: index)
            }
        }
    }
    if Int.random(in: 0..<6, using: &rng) == 0 { bytes = [0xEF, 0xBB, 0xBF] + bytes }
    return bytes
}

private func lineEnds(in bytes: ArraySlice<UInt8>) -> Int {
    var count = 0
    var previous: UInt8 = 0
    for byte in bytes {
        if byte == 0x0D || (byte == 0x0A && previous != 0x0D) { count += 1 }
        previous = byte
    }
    return count
}

/// Records must tile the stream exactly, and each starts on the physical line its offset implies.
private func accountingProblem(_ records: [Snapshot], _ input: [UInt8]) -> String? {
    var offset: Int64 = input.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    for record in records {
        guard record.byteOffset == offset else { return "record at \(record.byteOffset), expected \(offset)" }
        guard record.byteCount > 0 else { return "empty record at \(offset)" }
        let expectedLine = 1 + lineEnds(in: input[..<Int(offset)])
        guard record.line == expectedLine else { return "record at \(offset) on line \(record.line), expected \(expectedLine)" }
        offset += Int64(record.byteCount)
    }
    return offset == input.count ? nil : "records end at \(offset) of \(input.count)"
}

@Suite struct CSVFuzzTests {
    @Test func chunkingNeverChangesRecordsAndEveryByteIsAccounted() {
        var rng = SeededRandom(seed: 0x00C5_F00D)
        for iteration in 0..<3000 {
            let input = randomInput(&rng)
            let whole = snapshots(input, chunkSize: .max)
            if let problem = accountingProblem(whole, input) {
                Issue.record("iteration \(iteration): \(problem) in \(input)")
                return
            }
            for chunkSize in [1, 2, 3, 7, 64] where snapshots(input, chunkSize: chunkSize) != whole {
                Issue.record("iteration \(iteration): chunk size \(chunkSize) differs for \(input)")
                return
            }
        }
    }

    @Test func writtenRecordsParseBackIdentically() {
        var rng = SeededRandom(seed: 0x0BAD_CAFE)
        for iteration in 0..<1500 {
            let records = randomRecords(&rng)
            let bytes = Array(records.map(CSVWriter.line).joined().utf8)
            let chunkSize = Bool.random(using: &rng) ? Int.random(in: 1...50, using: &rng) : .max
            let parsed = CSVParser.parseAll(bytes, chunkSize: chunkSize)
            let fields = parsed.map { record in (0..<record.fieldCount).map { Array(record.fieldBytes($0)) } }
            let expected = records.map { $0.map { Array($0.utf8) } }
            guard fields == expected, parsed.allSatisfy({ $0.malformation == nil }) else {
                Issue.record("iteration \(iteration), chunk size \(chunkSize): \(records) parsed as \(parsed.map { $0.strings() })")
                return
            }
        }
    }

    @Test func utf8ValidatorAgreesWithStandardLibrary() {
        var rng = SeededRandom(seed: 0x0007_F800)
        let scalars: [ClosedRange<UInt32>] = [0...0x7F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF]
        for iteration in 0..<3000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                if Int.random(in: 0..<10, using: &rng) == 0 {
                    bytes.append(UInt8.random(in: 0x80...0xFF, using: &rng))
                } else {
                    let value = UInt32.random(in: scalars.randomElement(using: &rng)!, using: &rng)
                    bytes.append(contentsOf: String(Character(Unicode.Scalar(value)!)).utf8)
                }
            }
            if Int.random(in: 0..<8, using: &rng) == 0, !bytes.isEmpty { bytes.removeLast() }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            var offsets: Set<Int64?> = []
            for chunkSize in [1, 2, 5, Int.random(in: 1...40, using: &rng), .max] {
                var validator = UTF8StreamValidator()
                var ok = true
                bytes.withUnsafeBytes { raw in
                    var start = 0
                    while start < raw.count {
                        let end = start + min(chunkSize, raw.count - start)
                        ok = validator.validate(UnsafeRawBufferPointer(rebasing: raw[start..<end])) && ok
                        start = end
                    }
                }
                ok = validator.finish() && ok
                offsets.insert(validator.invalidByteOffset)
                guard ok == expected, validator.bytesValidated == bytes.count else {
                    Issue.record("iteration \(iteration), chunk size \(chunkSize): \(bytes) gave \(ok)")
                    return
                }
            }
            #expect(offsets.count == 1)
        }
    }
}
