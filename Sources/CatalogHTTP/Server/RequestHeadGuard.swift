import CatalogCore
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Answers a request head that cannot be parsed — over the header limits (431 `HEADERS_TOO_LARGE`) or
/// malformed, such as invalid bytes in the request line (400 `VALIDATION_ERROR`) — with the contract's
/// envelope and an `X-Request-Id`, where Hummingbird would send an empty 400, then closes the connection.
///
/// Sits between the HTTP codec and Hummingbird's handlers. A parse error while a response is still
/// being written (a pipelined request) is answered once that response has ended. One inside a request
/// body is left to the route that reads it.
final class RequestHeadGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Hummingbird's decoder limits (HTTP1Channel.Configuration.DecoderConfiguration's defaults).
    static let maxHeaderBytes = 80 * 1024
    static let maxHeaderFields = 1000
    /// How long the refused client may go on sending before the connection is closed for good.
    static let lingerTime = TimeAmount.seconds(2)

    private let logger: Logger
    /// A request head was read and its end not yet.
    private var readingRequest = false
    /// Requests whose response has not ended.
    private var responsesOwed = 0
    /// The refusal to send once the response being written ends.
    private var pendingRefusal: CatalogError?
    private var refused = false

    init(logger: Logger) {
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        switch unwrapInboundIn(data) {
        case .head:
            readingRequest = true
            responsesOwed += 1
        case .body:
            break
        case .end:
            readingRequest = false
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let isEnd = if case .end = unwrapOutboundIn(data) { true } else { false }
        context.write(data, promise: promise)
        guard isEnd else { return }
        responsesOwed = max(0, responsesOwed - 1)
        if responsesOwed == 0, let refusal = pendingRefusal {
            pendingRefusal = nil
            refuse(context, refusal)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if refused { return }  // the decoder reports every later byte; they are dropped
        guard let refusal = Self.refusal(for: error), !readingRequest else {
            return context.fireErrorCaught(error)
        }
        if responsesOwed > 0 {
            pendingRefusal = refusal
        } else {
            refuse(context, refusal)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The refused client stopped sending: nothing more to wait for.
        if refused, case ChannelEvent.inputClosed = event {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The answer to a failure of the HTTP parser or of the conversion of its head; nil for other errors (I/O).
    static func refusal(for error: any Error) -> CatalogError? {
        switch error {
        case HTTPParserError.headerOverflow:
            return CatalogError(
                .headersTooLarge,
                "The request head is too large: at most \(maxHeaderBytes / 1024) KB of headers and \(maxHeaderFields) header fields.",
                details: ["max_header_bytes": .int(Int64(maxHeaderBytes)), "max_header_fields": .int(Int64(maxHeaderFields))])
        case is HTTPParserError, is HTTP1TypeConversionError:
            return CatalogError.validation(
                "The request head is malformed (\(String(describing: error))); send an HTTP/1.1 request line and headers.",
                parameter: "request")
        default:
            return nil
        }
    }

    /// Sends the envelope, ends the output and closes once the client stops sending (or after `lingerTime`),
    /// so that the unread rest of its request cannot reset the connection before it reads the answer.
    private func refuse(_ context: ChannelHandlerContext, _ error: CatalogError) {
        refused = true
        let requestID = UUID().uuidString.lowercased()
        let body = ErrorEnvelope.json(for: error)
        var fields = ErrorEnvelope.headers(for: error)
        fields[.xRequestID] = requestID
        fields[.connection] = "close"
        fields[.contentLength] = String(body.count)
        let status = ErrorEnvelope.status(for: error.code)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            channel.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
        }
        context.eventLoop.scheduleTask(in: Self.lingerTime) { channel.close(promise: nil) }
        logger.info("request", metadata: [
            "request_id": .string(requestID), "route": "RefusedHead", "status": .stringConvertible(status.code),
            "reason": .string(error.message),
        ])
    }
}
