import CatalogCore

/// gzip compression for tests (zlib's gzip wrapper).
public enum Gzip {
    public static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        let writer = Writer(level: level)
        writer.append(input)
        return writer.finish()
    }

    /// `head` followed by `line` repeated until the inflated size reaches `inflatedBytes`: a small
    /// file that inflates to a large one (a "gzip bomb" of valid CSV), compressed without building it.
    public static func bomb(head: String, line: String, inflatedBytes: Int) -> [UInt8] {
        let writer = Writer(level: 9)
        writer.append(Array(head.utf8))
        let lineBytes = Array(line.utf8)
        var block: [UInt8] = []
        while block.count < 1 << 20 { block += lineBytes }
        var written = head.utf8.count
        while written < inflatedBytes {
            let piece = block.prefix(inflatedBytes - written)
            writer.append(Array(piece))
            written += piece.count
        }
        return writer.finish()
    }

    /// Collects what `GzipDeflater` writes.
    final class Writer {
        private let deflater: GzipDeflater
        private(set) var output: [UInt8] = []

        init(level: Int32) {
            deflater = GzipDeflater(level: level)
        }

        func append(_ input: [UInt8]) { run(input, finish: false) }

        func finish() -> [UInt8] {
            run([], finish: true)
            return output
        }

        private func run(_ input: [UInt8], finish: Bool) {
            input.withUnsafeBytes { bytes in deflater.compress(bytes, finish: finish) { output += $0 } }
        }
    }
}
