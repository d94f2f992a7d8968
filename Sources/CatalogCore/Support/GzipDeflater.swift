import CZlib

/// Streaming gzip compression (zlib's gzip wrapper): response bodies for clients that accept gzip.
/// A class: zlib keeps the stream's address, so the stream must not move.
public final class GzipDeflater {
    private var stream = z_stream()
    private var output = [UInt8](repeating: 0, count: 32 * 1024)
    private var ended = false

    /// `level` 1 (fastest) to 9 (smallest).
    public init(level: Int32) {
        // Fails only when zlib cannot allocate its state.
        precondition(czlib_deflate_init_gzip(&stream, level) == Z_OK, "zlib could not start a deflate stream")
    }

    deinit {
        if !ended { deflateEnd(&stream) }
    }

    /// Compresses `input`, handing each compressed piece to `sink`; with `finish` the stream ends
    /// (the gzip trailer is written) and the deflater may not be used again.
    public func compress(_ input: UnsafeRawBufferPointer, finish: Bool, _ sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        precondition(!ended, "the gzip stream has ended")
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        let flush = finish ? Z_FINISH : Z_NO_FLUSH
        var status: Int32 = Z_OK
        repeat {
            let produced = output.withUnsafeMutableBytes { out -> Int in
                stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(out.count)
                status = deflate(&stream, flush)
                return out.count - Int(stream.avail_out)
            }
            // Z_STREAM_ERROR means a misused stream (a programming error); Z_BUF_ERROR only "no progress".
            precondition(status != Z_STREAM_ERROR, "deflate failed")
            if produced > 0 {
                try output.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
            }
        } while stream.avail_out == 0 || (finish && status != Z_STREAM_END)
        stream.next_in = nil
        if finish {
            deflateEnd(&stream)
            ended = true
        }
    }
}
