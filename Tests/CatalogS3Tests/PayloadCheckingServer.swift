import CatalogCore
import CatalogTestSupport
import NIOCore
import NIOPosix
import Synchronization

/// A loopback stand-in for S3 that answers PUT, multipart and DELETE requests and records, for each
/// request, the `x-amz-content-sha256` it carried beside the SHA-256 of the body it really sent
/// (moto does not compare the two; S3 does, and refuses a mismatch).
final class PayloadCheckingServer: Sendable {
    struct Exchange: Sendable {
        var method: String
        var target: String
        var headers: [String: String]
        var bodyBytes: Int
        var bodySHA256: String
        var declaredSHA256: String? { headers["x-amz-content-sha256"] }
    }

    final class Log: Sendable {
        let exchanges = Mutex<[Exchange]>([])
    }

    private let channel: any Channel
    private let log: Log

    var endpoint: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)" }
    var exchanges: [Exchange] { log.exchanges.withLock { $0 } }

    init() async throws {
        let log = Log()
        self.log = log
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func stop() async { try? await channel.close() }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let log: Log
        var pending = ByteBuffer()
        var current: (exchange: Exchange, remaining: Int, hasher: CryptoSHA256)?

        init(log: Log) { self.log = log }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = unwrapInboundIn(data)
            pending.writeBuffer(&chunk)
            while step(context) {}
            pending.discardReadBytes()
        }

        /// One head or one piece of body; false when more bytes are needed.
        func step(_ context: ChannelHandlerContext) -> Bool {
            if var request = current {
                if request.remaining > 0 {
                    guard pending.readableBytes > 0 else { return false }
                    let slice = pending.readSlice(length: min(request.remaining, pending.readableBytes))!
                    slice.withUnsafeReadableBytes { request.hasher.update(bufferPointer: $0) }
                    request.remaining -= slice.readableBytes
                    request.exchange.bodyBytes += slice.readableBytes
                    current = request
                    if request.remaining > 0 { return false }
                }
                request.exchange.bodySHA256 = Hex.encode(request.hasher.finalize())
                current = nil
                respond(to: request.exchange, context)
                return true
            }
            let view = pending.readableBytesView
            guard let end = view.firstRange(of: Array("\r\n\r\n".utf8)) else { return false }
            let headText = String(decoding: view[view.startIndex..<end.lowerBound], as: UTF8.self)
            pending.moveReaderIndex(to: end.upperBound)
            var lines = headText.split(separator: "\r\n").map(String.init)
            let requestLine = lines.removeFirst().split(separator: " ")
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let exchange = Exchange(
                method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, bodyBytes: 0, bodySHA256: "")
            current = (exchange, Int(headers["content-length"] ?? "0") ?? 0, CryptoSHA256())
            if headers["expect"]?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\n")), promise: nil)
            }
            return true
        }

        func respond(to exchange: Exchange, _ context: ChannelHandlerContext) {
            log.exchanges.withLock { $0.append(exchange) }
            var status = "200 OK"
            var extra = ""
            var body = ""
            switch exchange.method {
            case "POST" where exchange.target.hasSuffix("?uploads="):
                body = "<InitiateMultipartUploadResult><UploadId>stub-upload</UploadId></InitiateMultipartUploadResult>"
            case "POST":
                body = "<CompleteMultipartUploadResult><ETag>\"stub\"</ETag></CompleteMultipartUploadResult>"
            case "PUT":
                extra = "ETag: \"\(exchange.bodySHA256.prefix(32))\"\r\n"
            case "DELETE":
                status = "204 No Content"
            default:
                status = "404 Not Found"
                body = "<Error><Code>NoSuchKey</Code><Message>stub</Message></Error>"
            }
            let head = "HTTP/1.1 \(status)\r\n\(extra)Content-Length: \(body.utf8.count)\r\n\r\n"
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: head + body)), promise: nil)
        }
    }
}
