import CatalogCore
import CatalogFileStore
import CatalogPostgres
import CatalogSQLite
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Logging in to `/dashboard`, the session cookie and where sessions end: logout, expiry, revocation.
@Suite struct DashboardSessionTests {
    func isLoginForm(_ response: TestResponse) -> Bool {
        let text = String(buffer: response.body)
        return text.contains("<form method=\"post\" action=\"/dashboard/login\"") && text.contains("name=\"api_key\"")
    }

    func message(_ response: TestResponse) -> String {
        DashboardHTML.matches(#"role="alert"[^>]*>(.*?)</p>"#, in: String(buffer: response.body)).first?[1] ?? ""
    }

    @Test(arguments: StoreKind.allCases)
    func loginSetsAStrictHttpOnlyCookieAndLogoutEndsTheSession(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let analyst = try await app.createKey(.analyst)
        try await app.test { client in
            let anonymous = try await client.dashboard(session: nil)
            #expect(anonymous.status == .ok && isLoginForm(anonymous))
            #expect(anonymous.headers[.contentType] == "text/html; charset=utf-8")
            #expect(anonymous.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'none'") == true)

            let login = try await client.dashboardLogin(analyst, fields: "from=2026-11-01&grain=weekly&api_key=ignored")
            #expect(login.status == .seeOther)
            #expect(login.headers[.location] == "/dashboard?from=2026-11-01&grain=weekly")
            let header = try #require(setCookieHeader(login))
            let attributes = Set(header.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            #expect(attributes.isSuperset(of: ["httponly", "samesite=strict", "path=/dashboard", "max-age=28800"]), "\(header)")
            #expect(!attributes.contains("secure"), "plain HTTP: \(header)")
            #expect(attributes.contains { $0.hasPrefix("expires=") })
            let token = try #require(sessionCookie(login))
            #expect(!token.contains(analyst))

            // Only the token's hash is stored.
            let stored = try await app.rows("SELECT token_hash FROM dashboard_sessions")
            #expect(stored.map { $0["token_hash"] ?? nil } == [APIKeySecret.hash(token)])
            #expect(APIKeySecret.hash(token) != token && token.hasPrefix("pcs_") && token.count == 68)

            let page = try await client.dashboard(session: token)
            #expect(page.status == .ok && !isLoginForm(page))
            #expect(String(buffer: page.body).contains("Logged in as analyst"))

            // A cross-site logout is refused and the session lives on.
            let forged = try await client.dashboardLogout(session: token, extra: [.origin: "https://evil.example"])
            #expect(forged.status == .forbidden && setCookieHeader(forged) == nil)
            #expect(!isLoginForm(try await client.dashboard(session: token)))

            let logout = try await client.dashboardLogout(session: token, extra: [.origin: "http://localhost"])
            #expect(logout.status == .seeOther && logout.headers[.location] == "/dashboard")
            #expect(setCookieHeader(logout)?.lowercased().contains("max-age=0") == true)
            let after = try await client.dashboard(session: token)
            #expect(after.status == .ok && isLoginForm(after))
            #expect(try await app.rows("SELECT token_hash FROM dashboard_sessions").isEmpty)
        }
    }

    @Test func theCookieIsSecureBehindATLSProxy() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let login = try await client.dashboardLogin(app.adminKey, extra: [.forwardedProto: "https"])
            #expect(login.status == .seeOther)
            #expect(setCookieHeader(login)?.split(separator: ";").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "secure" } == true)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func badLoginsReshowTheFormWithAClearMessage(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let reader = try await app.createKey(.reader)
        try await app.test { client in
            let unknown = try await client.dashboardLogin("pck_" + String(repeating: "0", count: 64))
            #expect(unknown.status == .unauthorized && isLoginForm(unknown) && setCookieHeader(unknown) == nil)
            #expect(message(unknown).contains("not valid"))

            let refused = try await client.dashboardLogin(reader)
            #expect(refused.status == .forbidden && isLoginForm(refused) && setCookieHeader(refused) == nil)
            #expect(message(refused).contains("reader key cannot open the dashboard"))
            #expect(try await app.rows("SELECT token_hash FROM dashboard_sessions").isEmpty)
            // A reader's key sent as a header is refused as clearly.
            let readerPage = try await client.dashboard(session: nil, extra: [HTTPField.Name("X-API-Key")!: reader])
            #expect(readerPage.status == .forbidden && message(readerPage).contains("reader"))

            let empty = try await client.dashboardLogin("")
            #expect(empty.status == .badRequest && message(empty).contains("Enter an API key"))

            let crossSite = try await client.dashboardLogin(app.adminKey, extra: [.origin: "http://evil.example"])
            #expect(crossSite.status == .forbidden && setCookieHeader(crossSite) == nil)
            let refererOnly = try await client.dashboardLogin(app.adminKey, extra: [.referer: "http://evil.example/page"])
            #expect(refererOnly.status == .forbidden)
            #expect(try await client.dashboardLogin(app.adminKey, extra: [.origin: "null"]).status == .forbidden)
            #expect(try await client.dashboardLogin(app.adminKey, extra: [.referer: "http://localhost/dashboard"]).status == .seeOther)

            let json = try await client.execute(
                uri: "/dashboard/login", method: .post, headers: [.contentType: "application/json"], body: .init(string: "{\"api_key\": \"x\"}"))
            #expect(json.status == .unsupportedMediaType && isLoginForm(json))
            let malformed = try await client.execute(
                uri: "/dashboard/login", method: .post, headers: formContentType.reduce(into: HTTPFields()) { $0[$1.key] = $1.value },
                body: .init(string: "api_key=%zz"))
            #expect(malformed.status == .badRequest && isLoginForm(malformed))
            let huge = try await client.dashboardLogin(String(repeating: "k", count: 40_000))
            #expect(huge.status == .contentTooLarge)
            for response in [unknown, refused, empty, crossSite, json, malformed, huge] {
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            }
            // A session cookie that names nothing, or is not one of ours, is just no session.
            for cookie in ["pcs_" + String(repeating: "a", count: 64), "garbage", "\"><script>"] {
                let response = try await client.dashboard(session: cookie)
                #expect(response.status == .ok && isLoginForm(response) && !String(buffer: response.body).contains("<script>"))
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSessionExpiresAfterEightHours(_ store: StoreKind) async throws {
        let clock = TestClock()
        let app = try await TestApp.make(store, clock: clock)
        try await app.test { client in
            let token = try await client.dashboardSession(app.adminKey)
            clock.advance(by: 8 * 3600 - 1)
            #expect(!isLoginForm(try await client.dashboard(session: token)))
            clock.advance(by: 1)
            let expired = try await client.dashboard(session: token)
            #expect(expired.status == .ok && isLoginForm(expired))
            #expect(message(expired).contains("expired"))
            #expect(setCookieHeader(expired)?.lowercased().contains("max-age=0") == true)
            #expect(try await app.rows("SELECT token_hash FROM dashboard_sessions").isEmpty)
            // Logging in again opens a new one, and clears those that expired meanwhile.
            let stale = try await client.dashboardSession(app.adminKey)
            clock.advance(by: 9 * 3600)
            let fresh = try await client.dashboardSession(app.adminKey)
            #expect(try await app.rows("SELECT token_hash FROM dashboard_sessions").count == 1)
            #expect(isLoginForm(try await client.dashboard(session: stale)))
            #expect(!isLoginForm(try await client.dashboard(session: fresh)))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func revokingTheKeyEndsItsSessions(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let issued = try await app.catalog.keys.create(role: .analyst, partnerName: nil, label: "to revoke")
        let other = try await app.createKey(.analyst)
        try await app.test { client in
            let first = try await client.dashboardSession(issued.secret)
            let second = try await client.dashboardSession(issued.secret)
            let unrelated = try await client.dashboardSession(other)
            _ = try await app.catalog.keys.revoke(issued.record.keyID)
            for token in [first, second] {
                let response = try await client.dashboard(session: token)
                #expect(response.status == .ok && isLoginForm(response))
                #expect(message(response).contains("revoked"))
            }
            #expect(!isLoginForm(try await client.dashboard(session: unrelated)))
            #expect(try await client.dashboardLogin(issued.secret).status == .unauthorized)
        }
    }

    /// Two nodes on one database: a session opened on one works on the other, and ends on both.
    @Test(arguments: StoreKind.allCases)
    func sessionsWorkOnEveryNodeOfOneDatabase(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let secondStore: any CatalogStore = switch store {
        case .sqlite: try SQLiteCatalogStore(path: app.directory.path + "/catalog.sqlite")
        case .postgres: try PostgresCatalogStore(url: try #require(app.databaseURL))
        }
        let second = app.node(
            catalog: Catalog(store: secondStore, objects: try FileObjectStore(root: app.directory.path + "/objects"), maxUploadBytes: 1 << 20))
        let token = TestState("")
        try await app.test { client in token.value = try await client.dashboardSession(app.adminKey) }
        try await second.test { client in
            let page = try await client.dashboard(session: token.value)
            #expect(page.status == .ok && !isLoginForm(page))
            let logout = try await client.dashboardLogout(session: token.value)
            #expect(logout.status == .seeOther)
        }
        try await app.test { client in
            let page = try await client.dashboard(session: token.value)
            #expect(isLoginForm(page))
        }
    }
}
