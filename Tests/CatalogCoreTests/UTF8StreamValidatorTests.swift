import Testing
@testable import CatalogCore

private func validate(_ bytes: [UInt8], chunkSize: Int = .max) -> (valid: Bool, offset: Int64?) {
    var validator = UTF8StreamValidator()
    var valid = true
    bytes.withUnsafeBytes { raw in
        var start = 0
        while start < raw.count {
            let end = start + min(chunkSize, raw.count - start)
            valid = validator.validate(UnsafeRawBufferPointer(rebasing: raw[start..<end])) && valid
            start = end
        }
    }
    valid = validator.finish() && valid
    return (valid, validator.invalidByteOffset)
}

@Suite struct UTF8StreamValidatorTests {
    @Test func acceptsValidText() {
        let text = Array("plain ASCII that is longer than eight bytes, é, 日本, 😀, \u{10FFFF}".utf8)
        for chunkSize in [1, 2, 3, .max] {
            #expect(validate(text, chunkSize: chunkSize) == (true, nil))
        }
        #expect(validate([]) == (true, nil))
    }

    @Test(arguments: [
        ([0xC0, 0x80], 0), ([0xC1, 0xBF], 0), ([0xE0, 0x80, 0x80], 1), ([0xF0, 0x80, 0x80, 0x80], 1),
        ([0xED, 0xA0, 0x80], 1), ([0xF4, 0x90, 0x80, 0x80], 1), ([0xF5, 0x80, 0x80, 0x80], 0),
        ([0x61, 0x80], 1), ([0x61, 0xFF], 1), ([0xE2, 0x82, 0x41], 2),
    ] as [([UInt8], Int64)])
    func rejectsIllFormedSequences(_ bytes: [UInt8], _ offset: Int64) {
        for chunkSize in [1, .max] {
            #expect(validate(bytes, chunkSize: chunkSize) == (false, offset))
        }
    }

    @Test func truncatedSequenceFailsAtFinish() {
        var validator = UTF8StreamValidator()
        let ok = [UInt8]([0x61, 0xE2, 0x82]).withUnsafeBytes { validator.validate($0) }
        let finished = validator.finish()
        #expect(ok && !finished)
        #expect(validator.invalidByteOffset == 3)
    }

    @Test func staysInvalidAndCountsBytes() {
        var validator = UTF8StreamValidator()
        let first = [UInt8]([0x61, 0xFF, 0x62]).withUnsafeBytes { validator.validate($0) }
        let second = [UInt8]([0x63]).withUnsafeBytes { validator.validate($0) }
        let finished = validator.finish()
        #expect(!first && !second && !finished)
        #expect(validator.invalidByteOffset == 1)
        #expect(validator.bytesValidated == 4)
    }
}
