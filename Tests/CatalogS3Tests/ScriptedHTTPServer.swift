import NIOCore
import NIOPosix
import Synchronization

/// A loopback HTTP server that answers each request with the next status of a script (the last one
/// repeats) and counts requests and connections: for retry and reuse tests that moto cannot stage
/// (moto closes every connection).
final class ScriptedHTTPServer: Sendable {
    private let channel: any Channel
    private let counter: Counter

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
        let connections = Atomic<Int>(0)
    }

    var port: Int { channel.localAddress?.port ?? 0 }
    var requests: Int { counter.value.load(ordering: .relaxed) }
    var connections: Int { counter.connections.load(ordering: .relaxed) }
    var endpoint: String { "http://127.0.0.1:\(port)" }

    init(statuses: [Int], keepAlive: Bool = false) async throws {
        let counter = Counter()
        self.counter = counter
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                counter.connections.add(1, ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Responder(statuses: statuses, keepAlive: keepAlive, counter: counter))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func stop() async { try? await channel.close() }

    /// A port nothing listens on: connections to it are refused.
    private final class Responder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let statuses: [Int]
        let keepAlive: Bool
        let counter: Counter

        init(statuses: [Int], keepAlive: Bool, counter: Counter) {
            self.statuses = statuses
            self.keepAlive = keepAlive
            self.counter = counter
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            // Bodiless requests only: the first read holds the whole head in these tests.
            let index = counter.value.add(1, ordering: .relaxed).oldValue
            let status = statuses[min(index, statuses.count - 1)]
            let body = status == 200 ? "" : "<Error><Code>Scripted\(status)</Code><Message>scripted answer</Message></Error>"
            let connection = keepAlive ? "keep-alive" : "close"
            let head = "HTTP/1.1 \(status) Scripted\r\nContent-Length: \(body.utf8.count)\r\nConnection: \(connection)\r\n\r\n"
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: head + body)), promise: nil)
            if !keepAlive { context.close(promise: nil) }
        }
    }
}
