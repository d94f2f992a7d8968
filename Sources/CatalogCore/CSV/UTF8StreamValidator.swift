/// Incremental RFC 3629 UTF-8 validation over arbitrarily split chunks.
public struct UTF8StreamValidator: Sendable {
    /// Stream offset of the first byte that breaks validity (for a sequence truncated by the end of the stream, the stream length).
    public private(set) var invalidByteOffset: Int64?
    /// Total bytes passed to `validate`.
    public private(set) var bytesValidated: Int64 = 0
    private var pending = 0
    private var low: UInt8 = 0x80
    private var high: UInt8 = 0xBF

    public init() {}

    public mutating func validate(_ chunk: UnsafeRawBufferPointer) -> Bool {
        let base = bytesValidated
        let n = chunk.count
        bytesValidated += Int64(n)
        guard invalidByteOffset == nil else { return false }
        var i = 0
        while i < n {
            if pending == 0 {
                i = Self.skipASCII(chunk, from: i)
                guard i < n else { break }
                let b = chunk[i]
                if b < 0x80 {
                    i += 1
                    continue
                }
                switch b {
                case 0xC2...0xDF: expect(1, 0x80, 0xBF)
                case 0xE0: expect(2, 0xA0, 0xBF)
                case 0xE1...0xEC, 0xEE...0xEF: expect(2, 0x80, 0xBF)
                case 0xED: expect(2, 0x80, 0x9F)
                case 0xF0: expect(3, 0x90, 0xBF)
                case 0xF1...0xF3: expect(3, 0x80, 0xBF)
                case 0xF4: expect(3, 0x80, 0x8F)
                default: return fail(at: base + Int64(i))
                }
            } else {
                let b = chunk[i]
                guard b >= low && b <= high else { return fail(at: base + Int64(i)) }
                pending -= 1
                low = 0x80
                high = 0xBF
            }
            i += 1
        }
        return true
    }

    public mutating func finish() -> Bool {
        guard invalidByteOffset == nil else { return false }
        guard pending == 0 else {
            invalidByteOffset = bytesValidated
            return false
        }
        return true
    }

    /// Skips ASCII from `start`, 32 bytes per step, then 8: every byte before the index returned is
    /// ASCII, and the first byte that is not (or the end) is less than 8 bytes after it.
    @inline(__always)
    static func skipASCII(_ chunk: UnsafeRawBufferPointer, from start: Int) -> Int {
        let n = chunk.count
        var i = start
        let high: UInt64 = 0x8080_8080_8080_8080
        while i + 32 <= n {
            let word = chunk.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                | chunk.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
                | chunk.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)
                | chunk.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
            guard word & high == 0 else { break }
            i += 32
        }
        while i + 8 <= n, chunk.loadUnaligned(fromByteOffset: i, as: UInt64.self) & high == 0 {
            i += 8
        }
        return i
    }

    private mutating func expect(_ count: Int, _ low: UInt8, _ high: UInt8) {
        pending = count
        self.low = low
        self.high = high
    }

    private mutating func fail(at offset: Int64) -> Bool {
        invalidByteOffset = offset
        return false
    }
}
