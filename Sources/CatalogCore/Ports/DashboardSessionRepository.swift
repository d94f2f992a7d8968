import struct Foundation.Date

/// A dashboard session as stored: only the hash of its token, the key it was opened with (revoked or
/// not: `DashboardSessions` decides) and that key's partner.
public struct DashboardSessionRecord: Sendable, Equatable {
    public var key: APIKeyRecord
    public var partner: Partner?
    public var createdAt: Date
    public var expiresAt: Date

    public init(key: APIKeyRecord, partner: Partner?, createdAt: Date, expiresAt: Date) {
        self.key = key
        self.partner = partner
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Dashboard sessions in the primary database, so that every node behind one database knows them.
public protocol DashboardSessionRepository: Sendable {
    func createDashboardSession(tokenHash: String, keyID: String, createdAt: Date, expiresAt: Date) async throws
    func dashboardSession(tokenHash: String) async throws -> DashboardSessionRecord?
    func deleteDashboardSession(tokenHash: String) async throws
    /// Deletes the sessions whose `expiresAt` is at or before `date`.
    func deleteDashboardSessions(expiredBy date: Date) async throws
}
