import CZlib

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

    /// A class: zlib keeps the stream's address, so the stream must not move.
    final class Writer {
        private var stream = z_stream()
        private(set) var output: [UInt8] = []

        init(level: Int32) {
            precondition(czlib_deflate_init_gzip(&stream, level) == Z_OK)
        }

        func append(_ input: [UInt8]) { run(input, flush: Z_NO_FLUSH) }

        func finish() -> [UInt8] {
            run([], flush: Z_FINISH)
            deflateEnd(&stream)
            return output
        }

        private func run(_ input: [UInt8], flush: Int32) {
            var input = input
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            input.withUnsafeMutableBytes { inBytes in
                stream.next_in = inBytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(inBytes.count)
                var status: Int32 = Z_OK
                repeat {
                    let produced = buffer.withUnsafeMutableBytes { outBytes -> Int in
                        stream.next_out = outBytes.baseAddress!.assumingMemoryBound(to: Bytef.self)
                        stream.avail_out = uInt(outBytes.count)
                        status = deflate(&stream, flush)
                        return outBytes.count - Int(stream.avail_out)
                    }
                    output += buffer[0..<produced]
                    precondition(status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR, "deflate failed: \(status)")
                } while stream.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END)
                stream.next_in = nil
            }
        }
    }
}
