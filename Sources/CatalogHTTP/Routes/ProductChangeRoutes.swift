import CatalogCore
import HTTPTypes
import Hummingbird
import Logging

/// §Products "Product changes": `GET /products/changes` as JSON pages, or with
/// `Accept: text/event-stream` as a live Server-Sent Events stream that resumes from `Last-Event-ID`.
struct ProductChangeRoutes {
    let catalog: Catalog
    let hub: ChangeStreamHub
    static let backlogPage = 500

    func register(on router: Router<CatalogRequestContext>) {
        router.get("/products/changes") { request, context in
            let principal = try context.requirePrincipal()
            let query = try QueryParameters(request, allowed: ["since", "partner_name", "limit"])
            let limit = try query.limit(default: 100, max: ProductChangeQueries.maxLimit)
            let wantsStream = request.headers[.accept]?.lowercased().contains("text/event-stream") == true
            let resumeFrom = wantsStream ? request.headers[.lastEventID].flatMap { $0.isEmpty ? nil : $0 } : nil
            let since = try ChangeToken.decode(resumeFrom ?? query["since"], parameter: resumeFrom == nil ? "since" : "Last-Event-ID")
            if wantsStream { return try await stream(since: since, partnerName: query["partner_name"], principal, context.logger) }
            let (changes, next) = try await catalog.changes.read(since: since, partnerName: query["partner_name"], limit: limit, by: principal)
            return RawJSON.response(Self.page(changes, next: next))
        }
    }

    /// `{"count", "items": [{"change", "product"}], "next_since"}`.
    static func page(_ changes: [ProductChange], next: ChangeToken) -> String {
        var out = "{\"count\":\(changes.count),\"items\":["
        out.reserveCapacity(changes.count * 760)
        for (index, change) in changes.enumerated() {
            if index > 0 { out += "," }
            out += "{\"change\":\""
            out += change.token.encoded
            out += "\",\"product\":"
            ProductJSON.append(change.product, to: &out)
            out += "}"
        }
        out += "],\"next_since\":\""
        out += next.encoded
        return out + "\"}"
    }

    /// The backlog after `since` from the change log, then what the node's follower reads, live; a
    /// stream subscribes before it reads the backlog, and skips what the backlog gave it already.
    private func stream(since: ChangeToken, partnerName: String?, _ principal: Principal, _ logger: Logger) async throws -> Response {
        try await catalog.changes.validate(since)
        let (scope, empty) = ProductChangeQueries.scope(partnerName, by: principal)
        let (live, end) = hub.subscribe(partnerName: empty ? "\u{0}nobody" : scope)
        let catalog = self.catalog
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache", HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { end() }
            var sent = since
            // A comment first: the client knows the stream is open before any change exists.
            try await writer.write(ByteBuffer(string: ": stream open\n\n"))
            if !empty {
                while true {
                    let (changes, next) = try await catalog.changes.read(
                        since: sent, partnerName: scope, limit: Self.backlogPage, by: principal)
                    if !changes.isEmpty {
                        var text = ""
                        for change in changes { ChangeEventChunk.append(change, to: &text) }
                        try await writer.write(ByteBuffer(string: text))
                    }
                    sent = max(sent, next)
                    if changes.count < Self.backlogPage { break }
                }
            }
            for await item in live {
                switch item {
                case .ping:
                    try await writer.write(ByteBuffer(string: ": ping\n\n"))
                case .changes(let chunk):
                    guard let events = chunk.events(after: sent), let last = chunk.last else { continue }
                    try await writer.write(events)
                    sent = last
                }
            }
            guard !Task.isCancelled else { return }
            // The hub ended the stream (the client fell too far behind): it reconnects with Last-Event-ID.
            logger.info("change stream ended; the client was too far behind", metadata: ["since": .string(sent.encoded)])
            try await writer.finish(nil)
        })
    }
}

extension HTTPField.Name {
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
