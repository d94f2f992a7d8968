import struct Foundation.Date
import struct Foundation.TimeInterval

/// The analysts' page's sessions (§Dashboard): an API key given once in a login form opens a session
/// whose random token the browser keeps in a cookie. Only the token's hash is stored, in the primary
/// database (every node sees it); a session ends at logout, after `lifetime`, or as soon as its key is
/// revoked.
public struct DashboardSessions: Sendable {
    public static let lifetime: TimeInterval = 8 * 3600
    /// The roles that may open the page: those that read `/analytics/*`.
    public static let roles: [Role] = [.analyst, .admin, .partner]

    let store: any DashboardSessionRepository & APIKeyRepository & PartnerRepository
    let clock: any CatalogClock

    public init(store: any DashboardSessionRepository & APIKeyRepository & PartnerRepository, clock: any CatalogClock) {
        self.store = store
        self.clock = clock
    }

    public struct Opened: Sendable {
        /// For the cookie; never stored.
        public var token: String
        public var expiresAt: Date
        public var principal: Principal
    }

    /// Checks the key and opens a session for it. Throws `UNAUTHENTICATED` for an unknown or revoked key
    /// and `FORBIDDEN` for a role that may not read analytics.
    public func open(apiKey: String) async throws -> Opened {
        let principal = try await KeyService(store: store, clock: clock).authenticate(apiKey.trimmingWhitespace())
        guard Self.roles.contains(principal.role) else {
            throw CatalogError.forbidden(
                "A \(principal.role.rawValue) key cannot open the dashboard; log in with an analyst, admin or partner key.")
        }
        let now = clock.now()
        try await store.deleteDashboardSessions(expiredBy: now)
        let token = APIKeySecret.generate(prefix: "pcs_")
        let expiresAt = now.addingTimeInterval(Self.lifetime)
        try await store.createDashboardSession(tokenHash: APIKeySecret.hash(token), keyID: principal.keyID, createdAt: now, expiresAt: expiresAt)
        return Opened(token: token, expiresAt: expiresAt, principal: principal)
    }

    /// What a session looks like to the page: live (with its caller), or gone and why.
    public enum Lookup: Sendable, Equatable {
        case live(Principal, expiresAt: Date)
        /// No token, or one that names no session (logged out, or never issued).
        case none
        case expired
        case keyRevoked
    }

    public func lookup(token: String?) async throws -> Lookup {
        guard let token, Self.isWellFormed(token) else { return .none }
        let hash = APIKeySecret.hash(token)
        guard let session = try await store.dashboardSession(tokenHash: hash) else { return .none }
        if session.expiresAt <= clock.now() {
            try await store.deleteDashboardSession(tokenHash: hash)
            return .expired
        }
        if session.key.revokedAt != nil || !Self.roles.contains(session.key.role) {
            try await store.deleteDashboardSession(tokenHash: hash)
            return .keyRevoked
        }
        return .live(Principal(keyID: session.key.keyID, role: session.key.role, partner: session.partner), expiresAt: session.expiresAt)
    }

    public func close(token: String?) async throws {
        guard let token, Self.isWellFormed(token) else { return }
        try await store.deleteDashboardSession(tokenHash: APIKeySecret.hash(token))
    }

    /// `pcs_` and 64 hex digits, as `open` issues them; anything else is not looked up.
    static func isWellFormed(_ token: String) -> Bool {
        let bytes = Array(token.utf8)
        return bytes.count == 68 && token.hasPrefix("pcs_")
            && bytes.dropFirst(4).allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
