import CZlib

/// Streaming gzip decompression (concatenated members allowed), reporting truncation at the end.
public final class GzipInflater {
    public enum Failure: Error, Equatable {
        case corrupt
        case truncated
    }

    private var stream = z_stream()
    private var initialised = false
    private var inMember = false
    private var output = [UInt8](repeating: 0, count: 64 * 1024)

    public init() {}

    deinit {
        if initialised { inflateEnd(&stream) }
    }

    /// Decompresses `input`, handing each decompressed piece to `sink`.
    public func inflate(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = input.baseAddress, input.count > 0 else { return }
        if !initialised {
            guard czlib_inflate_init_gzip(&stream) == Z_OK else { throw Failure.corrupt }
            initialised = true
        }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        var outputFull: Bool
        repeat {
            let availableBefore = stream.avail_in
            let (status, produced) = output.withUnsafeMutableBytes { out -> (Int32, Int) in
                stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(out.count)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                return (status, out.count - Int(stream.avail_out))
            }
            outputFull = produced == output.count
            if stream.avail_in < availableBefore { inMember = true }
            if produced > 0 {
                try output.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
            }
            switch status {
            case Z_OK:
                break
            case Z_BUF_ERROR where produced == 0:
                outputFull = false
                if stream.avail_in > 0 { throw Failure.corrupt }
            case Z_STREAM_END:
                inMember = false
                guard inflateReset(&stream) == Z_OK else { throw Failure.corrupt }
            default:
                throw Failure.corrupt
            }
        } while stream.avail_in > 0 || outputFull
        stream.next_in = nil
    }

    /// Throws `truncated` when the input ended inside a gzip member.
    public func finish() throws {
        if inMember { throw Failure.truncated }
    }
}
