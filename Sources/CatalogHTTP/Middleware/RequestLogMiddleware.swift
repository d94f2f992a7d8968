import CatalogCore
import HTTPTypes
import Hummingbird
import Logging

/// One structured log line per request, written once the response (or the error that replaces it) is known:
/// `message` "request" with `request_id`, `method`, `route` (the route template, `NotFound` for unknown
/// paths, as in `/metrics`), `path`, `status` and `duration_ms` (to the response head) as numbers, and
/// `partner` when the key belongs to one. 5xx lines are at level `error`, the others at `info`.
///
/// It sits inside `RequestIDMiddleware` (so the line carries the id the client sees) and outside
/// `ErrorMiddleware` (so the status is the one the client gets, after errors became envelopes).
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = CatalogRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context, status: response.status, since: start)
            return response
        } catch {
            // Only when ErrorMiddleware is bypassed: the client then gets Hummingbird's own answer.
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            log(request, context, status: status, since: start)
            throw error
        }
    }

    private func log(_ request: Request, _ context: Context, status: HTTPResponse.Status, since start: ContinuousClock.Instant) {
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "route": .string(context.endpointPath ?? "NotFound"),
            "path": .string(request.uri.path),
            "status": .stringConvertible(status.code),
            "duration_ms": .milliseconds(since: start),
        ]
        if let partner = context.requestLog.partner { metadata["partner"] = .string(partner) }
        context.logger.log(level: status.code >= 500 ? .error : .info, "request", metadata: metadata)
    }
}
