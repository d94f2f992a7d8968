import CatalogCore
import Foundation
import HTTPTypes
import Hummingbird

/// §Dashboard: `GET /dashboard` (the login form, or the analytics as charts and tables),
/// `POST /dashboard/login` and `POST /dashboard/logout`. Answers are HTML, errors included, except
/// those of the middleware in front (a bad `X-API-Key` header, an oversized request).
struct DashboardRoutes {
    let catalog: Catalog

    /// The page's parameters: those of `/analytics/*` it shows.
    static let parameters = ["from", "to", "partner_name", "grain"]
    static let maxFormBytes = 16 * 1024

    func register(on router: Router<CatalogRequestContext>) {
        router.get("/dashboard") { request, context in
            try await htmlErrors { try await page(request, context) }
        }
        router.post("/dashboard/login") { request, context in
            try await htmlErrors { try await login(request) }
        }
        router.post("/dashboard/logout") { request, context in
            try await htmlErrors { try await logout(request) }
        }
    }

    // MARK: - GET /dashboard

    func page(_ request: Request, _ context: CatalogRequestContext) async throws -> Response {
        let token = DashboardRequest.sessionToken(request)
        let secure = DashboardRequest.isSecure(request)
        var principal: Principal?
        var expiresAt: Date?
        var message: String?
        switch try await catalog.dashboardSessions.lookup(token: token) {
        case .live(let caller, let expiry):
            (principal, expiresAt) = (caller, expiry)
        case .expired:
            message = "Your session has expired; log in again."
        case .keyRevoked:
            message = "The key this session was opened with has been revoked; log in with another key."
        case .none:
            if token != nil { message = "Your session has ended; log in again." }
        }
        // Scripts may send their key as on the API instead of keeping a session.
        if principal == nil, let caller = context.principal {
            guard DashboardSessions.roles.contains(caller.role) else {
                return try loginPage(.forbidden, "A \(caller.role.rawValue) key cannot open the dashboard; use an analyst, admin or partner key.",
                                     isError: true, request: request)
            }
            principal = caller
        }
        guard let principal else {
            var response = try loginPage(.ok, message, isError: false, request: request)
            if token != nil { response.setCookie(DashboardRequest.clearedCookie(secure: secure)) }
            return response
        }

        let raw = request.uri.queryParameters
        let given = (from: raw["from"].map(String.init), to: raw["to"].map(String.init), partnerName: raw["partner_name"].map(String.init),
                     grain: raw["grain"].map(String.init))
        var status = HTTPResponse.Status.ok
        var error: String?
        var filter: AnalyticsFilter?
        var grain = SalesGrain.daily
        var figures: DashboardFigures?
        do {
            let query = try QueryParameters(request, allowed: Set(Self.parameters))
            grain = try query.enumValue("grain") ?? .daily
            let scope = AnalyticsFilter(
                partnerName: try query.text("partner_name", maxLength: 63), from: try query.instant("from"), to: try query.instant("to"))
            figures = try await catalog.dashboard.figures(scope, grain: grain, by: principal)
            filter = scope
        } catch let failure as CatalogError where failure.code == .validationError {
            (status, error) = (.badRequest, failure.message)
        }
        let partners = principal.role == .partner ? nil : try await catalog.partners.list(PageRequest(limit: 200), by: principal).items
        let view = DashboardView(
            nonce: Self.nonce(), session: DashboardView.session(principal, expiresAt: expiresAt),
            filters: DashboardView.filters(raw: given, filter: filter, grain: grain, principal: principal, partners: partners),
            figures: figures, error: error)
        return try Self.html(status, DashboardTemplates.render(view, "dashboard"), nonce: view.nonce)
    }

    // MARK: - POST /dashboard/login

    func login(_ request: Request) async throws -> Response {
        guard DashboardRequest.isSameOrigin(request) else {
            return try loginPage(.forbidden, "The login form may only be sent from this site's own page.", isError: true, request: request)
        }
        guard DashboardRequest.isForm(request) else {
            return try loginPage(.unsupportedMediaType, "Send the login form as application/x-www-form-urlencoded.", isError: true, request: request)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maxFormBytes)
        } catch {
            return try loginPage(.contentTooLarge, "The login form is larger than \(Self.maxFormBytes / 1024) KiB.", isError: true, request: request)
        }
        guard let fields = DashboardRequest.formFields(body) else {
            return try loginPage(.badRequest, "The login form is not valid url-encoded text.", isError: true, request: request)
        }
        let back = Self.returnParameters(fields)
        guard let key = fields["api_key"], !key.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return try loginPage(.badRequest, "Enter an API key.", isError: true, request: request, back: back)
        }
        let opened: DashboardSessions.Opened
        do {
            opened = try await catalog.dashboardSessions.open(apiKey: key)
        } catch let failure as CatalogError where failure.code == .unauthenticated {
            return try loginPage(.unauthorized, "That API key is not valid: it is unknown or has been revoked.", isError: true, request: request,
                                 back: back)
        } catch let failure as CatalogError where failure.code == .forbidden {
            return try loginPage(.forbidden, failure.message, isError: true, request: request, back: back)
        }
        var response = Self.redirect(DashboardRequest.dashboardURL(back))
        response.setCookie(DashboardRequest.sessionCookie(
            opened.token, expiresAt: opened.expiresAt, lifetime: DashboardSessions.lifetime, secure: DashboardRequest.isSecure(request)))
        return response
    }

    /// The page's parameters carried through the login form, so that a bookmarked view survives a login.
    static func returnParameters(_ fields: [String: String]) -> [(String, String)] {
        parameters.compactMap { name in
            guard let value = fields[name], !value.isEmpty, value.count <= 100 else { return nil }
            return (name, value)
        }
    }

    // MARK: - POST /dashboard/logout

    func logout(_ request: Request) async throws -> Response {
        guard DashboardRequest.isSameOrigin(request) else {
            return try Self.messagePage(.forbidden, "The logout form may only be sent from this site's own page.")
        }
        try await catalog.dashboardSessions.close(token: DashboardRequest.sessionToken(request))
        var response = Self.redirect("/dashboard")
        response.setCookie(DashboardRequest.clearedCookie(secure: DashboardRequest.isSecure(request)))
        return response
    }

    // MARK: - Answers

    func loginPage(
        _ status: HTTPResponse.Status, _ message: String?, isError: Bool, request: Request, back: [(String, String)]? = nil
    ) throws -> Response {
        let back = back ?? Self.parameters.compactMap { name in
            request.uri.queryParameters[Substring(name)].map { (name, String($0)) }.flatMap { $0.1.isEmpty || $0.1.count > 100 ? nil : $0 }
        }
        let view = LoginView(
            nonce: Self.nonce(), message: message, isError: isError, returnFields: back.map { LoginView.Field(name: $0.0, value: $0.1) })
        return try Self.html(status, DashboardTemplates.render(view, "login"), nonce: view.nonce)
    }

    static func messagePage(_ status: HTTPResponse.Status, _ message: String) throws -> Response {
        let view = MessageView(nonce: nonce(), title: status.reasonPhrase, message: message)
        return try html(status, DashboardTemplates.render(view, "message"), nonce: view.nonce)
    }

    /// The handler's errors as an HTML page with the contract's status (internal errors stay with the
    /// error middleware, which logs them).
    func htmlErrors(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as CatalogError where error.code != .internal {
            return try Self.messagePage(ErrorEnvelope.status(for: error.code), error.message)
        }
    }

    static func html(_ status: HTTPResponse.Status, _ text: String, nonce: String) -> Response {
        var headers = securityHeaders(nonce: nonce)
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        var headers = securityHeaders(nonce: nil)
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    static func securityHeaders(nonce: String?) -> HTTPFields {
        var headers = HTTPFields()
        let scripts = nonce.map { "'nonce-\($0)'" } ?? "'none'"
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'none'; style-src \(scripts); script-src \(scripts); "
            + "img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        headers[.vary] = "Cookie"
        return headers
    }

    /// A fresh value per answer for the CSP: only the page's own style and script elements run.
    static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}

/// What `message.mustache` renders: an error outside the page's own flow.
struct MessageView {
    var nonce: String
    var title: String
    var message: String
}
