import CatalogCore
import HTTPTypes
import Hummingbird

/// Resolves `X-API-Key` (or `Authorization: Bearer`) to a principal. Requests without a key pass
/// through unauthenticated: public routes need none, the others call `requirePrincipal()`.
/// Unknown keys count against the client address in `failures` (429 once it has too many).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = CatalogRequestContext
    let keys: KeyService
    let failures: AuthFailureLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let secret = Self.secret(in: request) {
            try failures.check(context.clientAddress)
            let principal: Principal
            do {
                principal = try await keys.authenticate(secret)
            } catch let error as CatalogError where error.code == .unauthenticated {
                failures.recordFailure(context.clientAddress)
                throw error
            }
            context.principal = principal
            context.requestLog.partner = principal.partner?.partnerName
        }
        return try await next(request, context)
    }

    static func secret(in request: Request) -> String? {
        if let key = request.headers[.xAPIKey], !key.isEmpty { return key }
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
            return ""
        }
        return nil
    }
}
