import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// `Expect: 100-continue` (§Feeds): curl sends it for bodies over 1 MB and waits up to a second for
/// the interim answer before it sends the body. The body is wrapped so that the first read of it
/// answers `100 Continue`: a handler reads the body only once the key, the partner, the content type
/// and the declared length were accepted, and a request refused before that gets its error at once,
/// without the body ever being sent.
struct ExpectContinueMiddleware: RouterMiddleware {
    typealias Context = CatalogRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let expect = request.headers[.expect], expect.lowercased() == "100-continue" else {
            return try await next(request, context)
        }
        var request = request
        request.body = RequestBody(asyncSequence: ContinueOnFirstRead(base: request.body, channel: context.channel))
        return try await next(request, context)
    }
}

/// A request body that writes `100 Continue` to its connection when it is first read.
struct ContinueOnFirstRead: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: RequestBody
    let channel: any Channel

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let channel: any Channel
        /// A request body is read once, by one iterator.
        var sent = false

        mutating func next() async throws -> ByteBuffer? {
            if !sent {
                sent = true
                // Written ahead of the final response on the same channel, which the encoder allows for 1xx heads.
                try await channel.writeAndFlush(HTTPResponsePart.head(HTTPResponse(status: .continue))).get()
            }
            return try await base.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), channel: channel)
    }
}
