import CatalogCore
import Foundation
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Hummingbird's HTTP/1 channel with the service's connection rules: at most `maxConnections` open
/// (a connection beyond gets a 503 `OVERLOADED` and is closed at once, without reading it), the idle and
/// request-head timeout, and `RequestHeadGuard` for unparsable heads.
///
/// The timeout is Hummingbird's `HTTPConnectionStateHandler`: it closes a connection that has read no
/// request part for `idleTimeout`, before the first head is complete or between requests, and never
/// while a response is being written, so a long-lived streaming response (SSE) is not cut.
struct CatalogHTTPChannel: ServerChildChannel {
    enum Value: ServerChildChannelValue {
        case accepted(HTTP1Channel.Value)
        case refused(any Channel)

        var channel: any Channel {
            switch self {
            case .accepted(let value): value.channel
            case .refused(let channel): channel
            }
        }
    }

    let http: HTTP1Channel
    let gate: ConnectionGate

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard gate.enter() else {
            Self.refuse(channel, refusedSoFar: gate.countRefusal(), maxConnections: gate.limit, logger: logger)
            return channel.eventLoop.makeSucceededFuture(.refused(channel))
        }
        let gate = self.gate
        channel.closeFuture.whenComplete { _ in gate.leave() }
        return http.setup(channel: channel, logger: logger).map { .accepted($0) }
    }

    func handle(value: Value, logger: Logger) async {
        guard case .accepted(let connection) = value else { return }
        await http.handle(value: connection, logger: logger)
    }

    /// The whole answer, written to the socket before any HTTP handler is installed.
    private static func refuse(_ channel: any Channel, refusedSoFar: Int, maxConnections: Int, logger: Logger) {
        let error = CatalogError(.overloaded, "The server has as many open connections as it allows; try again shortly.")
        let body = ErrorEnvelope.json(for: error)
        let requestID = UUID().uuidString.lowercased()
        var head = "HTTP/1.1 503 Service Unavailable\r\n"
        for field in ErrorEnvelope.headers(for: error) { head += "\(field.name): \(field.value)\r\n" }
        head += "X-Request-Id: \(requestID)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        var buffer = channel.allocator.buffer(capacity: head.utf8.count + body.count)
        buffer.writeString(head)
        buffer.writeBytes(body)
        channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
        // One line per thousand, not one per connection of a flood.
        if refusedSoFar % 1000 == 1 {
            logger.warning("connection refused: too many open connections", metadata: [
                "request_id": .string(requestID), "status": .stringConvertible(503),
                "max_connections": .stringConvertible(maxConnections), "refused_total": .stringConvertible(refusedSoFar),
            ])
        }
    }
}

extension CatalogHTTP {
    /// The HTTP/1 server that `serve` runs (and the tests that need real connections).
    public static func server(_ limits: ServerLimits, logger: Logger) -> HTTPServerBuilder {
        server(limits, logger: logger, gate: ConnectionGate(limit: limits.maxConnections))
    }

    /// The same, counting its open connections in `gate` (tests watch it to see the server close one).
    static func server(_ limits: ServerLimits, logger: Logger, gate: ConnectionGate) -> HTTPServerBuilder {
        let idleTimeout = limits.idleTimeout.map { duration -> TimeAmount in
            let (seconds, attoseconds) = duration.components
            return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        }
        return HTTPServerBuilder { responder in
            CatalogHTTPChannel(
                http: HTTP1Channel(
                    responder: responder,
                    configuration: .init(additionalChannelHandlers: [RequestHeadGuard(logger: logger)], idleTimeout: idleTimeout)),
                gate: gate)
        }
    }
}
