import CatalogCore
import HTTPTypes
import Hummingbird

/// `Content-Encoding: gzip` for text bodies over 1 KB when the client accepts it (mobile networks):
/// JSON, HTML, SVG and plain text. Change streams are never compressed (no length, and each event must
/// be flushed). A raw feed file is compressed only when it is a JSON feed (the one raw type on the list),
/// and then only as a content coding: the client decodes it back to the stored bytes. A compressed
/// body's ETag becomes weak, as it is no longer the byte-identical representation the tag was made for.
struct ResponseCompressionMiddleware<Context: RequestContext>: RouterMiddleware {
    static var minimumBytes: Int { 1024 }
    /// zlib's fastest level, as nginx's default `gzip_comp_level 1`: JSON shrinks about 5× already, and
    /// every request pays the CPU.
    static var level: Int32 { 1 }
    static var compressibleTypes: [String] { ["application/json", "text/html", "text/plain", "image/svg+xml"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard request.method != .head, response.headers[.contentEncoding] == nil,
              let length = response.body.contentLength, length > Self.minimumBytes,
              let type = response.headers[.contentType]?.lowercased(),
              Self.compressibleTypes.contains(where: { type.hasPrefix($0) })
        else { return response }
        response.headers.append(HTTPField(name: .vary, value: "Accept-Encoding"))
        guard Self.acceptsGzip(request.headers[values: .acceptEncoding]) else { return response }
        response.headers[.contentEncoding] = "gzip"
        response.headers[.contentLength] = nil
        if let tag = response.headers[.eTag] { response.headers[.eTag] = EntityTag.weak(tag) }
        let body = response.body
        response.body = ResponseBody { writer in
            try await body.write(GzipBodyWriter(parent: writer, deflater: GzipDeflater(level: Self.level)))
        }
        return response
    }

    /// RFC 9110 §12.5.3: `gzip` (or `x-gzip`, or `*`) with a q-value above 0.
    static func acceptsGzip(_ values: [String]) -> Bool {
        var gzip: Bool?
        var wildcard: Bool?
        for value in values {
            for element in value.split(separator: ",") {
                let parts = element.split(separator: ";")
                guard let coding = parts.first?.trimmingCharacters(in: .whitespaces).lowercased(), !coding.isEmpty else { continue }
                var quality = 1.0
                for parameter in parts.dropFirst() {
                    let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    if pair.count == 2, pair[0].lowercased() == "q" { quality = Double(pair[1]) ?? 0 }
                }
                switch coding {
                case "gzip", "x-gzip": gzip = quality > 0
                case "*": wildcard = quality > 0
                default: break
                }
            }
        }
        return gzip ?? wildcard ?? false
    }
}

/// Deflates what the response writes and hands the compressed bytes on; the gzip trailer at the end.
private struct GzipBodyWriter: ResponseBodyWriter {
    var parent: any ResponseBodyWriter
    let deflater: GzipDeflater

    mutating func write(_ buffer: ByteBuffer) async throws {
        let compressed = compress(buffer, finish: false)
        if compressed.readableBytes > 0 { try await parent.write(compressed) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        let compressed = compress(ByteBuffer(), finish: true)
        try await parent.write(compressed)
        try await parent.finish(trailingHeaders)
    }

    private func compress(_ buffer: ByteBuffer, finish: Bool) -> ByteBuffer {
        var output = ByteBuffer()
        output.reserveCapacity(buffer.readableBytes / 3 + 64)
        buffer.withUnsafeReadableBytes { bytes in
            deflater.compress(bytes, finish: finish) { output.writeBytes($0) }
        }
        return output
    }
}
