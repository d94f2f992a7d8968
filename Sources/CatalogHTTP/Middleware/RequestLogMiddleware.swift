import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// One structured log line per request.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = CatalogRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = NIODeadline.now()
        let response = try await next(request, context)
        let milliseconds = Double((NIODeadline.now() - start).nanoseconds) / 1_000_000
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "route": .string(context.endpointPath ?? request.uri.path),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .string(String(format: "%.2f", milliseconds)),
        ]
        if let partner = context.principal?.partner?.partnerName { metadata["partner"] = .string(partner) }
        context.logger.info("request", metadata: metadata)
        return response
    }
}
