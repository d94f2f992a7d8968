@testable import CatalogCore
import CatalogTestSupport
import Testing

/// The ASCII fast path (32 and 8 bytes at a time) against the byte-at-a-time path: chunks shorter
/// than 8 bytes never take it. Inputs mix long ASCII runs with valid and broken multi-byte
/// sequences, cut into random chunks, so sequences are split across chunk boundaries.
@Suite struct UTF8FastPathFuzzTests {
    private static func randomText(_ rng: inout SeededRandom, broken: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 0...40, using: &rng) {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5:
                let run = Int.random(in: 0...(Bool.random(using: &rng) ? 12 : 200), using: &rng)
                bytes += (0..<run).map { _ in UInt8.random(in: 0...0x7F, using: &rng) }
            case 5..<9:
                let scalar = [0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF][Int.random(in: 0..<4, using: &rng)]
                bytes += Array(String(Unicode.Scalar(UInt32(Int.random(in: scalar, using: &rng)))!).utf8)
            default:
                guard broken else { continue }
                let junk: [[UInt8]] = [[0x80], [0xFF], [0xC0, 0xAF], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF0, 0x9F]]
                bytes += junk[Int.random(in: 0..<junk.count, using: &rng)]
            }
        }
        return bytes
    }

    private static func validate(_ bytes: [UInt8], chunks: [Int]) -> (Bool, Int64?) {
        var validator = UTF8StreamValidator()
        var valid = true
        var start = 0
        bytes.withUnsafeBytes { raw in
            for size in chunks + [raw.count] where start < raw.count {
                let end = min(raw.count, start + size)
                valid = validator.validate(UnsafeRawBufferPointer(rebasing: raw[start..<end])) && valid
                start = end
            }
        }
        return (validator.finish() && valid, validator.invalidByteOffset)
    }

    @Test(arguments: [false, true])
    func fastPathAgreesWithByteAtATime(_ broken: Bool) {
        var rng = SeededRandom(seed: broken ? 0xBAD_5EED : 0x600D_5EED)
        for round in 0..<2_000 {
            let bytes = Self.randomText(&rng, broken: broken)
            let slow = Self.validate(bytes, chunks: Array(repeating: 1, count: bytes.count))
            var chunks: [Int] = []
            var covered = 0
            while covered < bytes.count {
                chunks.append(Int.random(in: 0...(round.isMultiple(of: 3) ? 7 : 300), using: &rng))
                covered += chunks.last!
            }
            #expect(Self.validate(bytes, chunks: chunks) == slow, "round \(round): \(bytes) in \(chunks)")
            #expect(Self.validate(bytes, chunks: [bytes.count]) == slow, "round \(round): \(bytes) whole")
            #expect(slow.0 == (String(validating: bytes, as: UTF8.self) != nil), "round \(round): \(bytes)")
            if !broken { #expect(slow == (true, nil)) }
        }
    }

    @Test func skipsASCIIUpToTheWordHoldingTheFirstOtherByte() {
        for length in 0..<80 {
            for position in 0...length {
                var bytes = [UInt8](repeating: 0x61, count: length)
                if position < length { bytes[position] = 0x80 }
                let found = bytes.withUnsafeBytes { UTF8StreamValidator.skipASCII($0, from: 0) }
                #expect(found <= position && position - found < 8, "length \(length), non-ASCII at \(position): \(found)")
            }
        }
    }
}
