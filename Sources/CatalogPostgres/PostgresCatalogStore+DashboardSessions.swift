import CatalogCore
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalogStore: DashboardSessionRepository {
    public func createDashboardSession(tokenHash: String, keyID: String, createdAt: Date, expiresAt: Date) async throws {
        try await withConnection { connection in
            try await connection.query("""
                INSERT INTO dashboard_sessions (token_hash, key_id, created_at, expires_at)
                VALUES (\(tokenHash), \(keyID), \(createdAt), \(expiresAt))
                """, logger: self.logger).drain()
        }
    }

    /// One round trip, on every page view: the session with its key and the key's partner.
    public func dashboardSession(tokenHash: String) async throws -> DashboardSessionRecord? {
        let found: DashboardSessionRecord?? = try await withConnection { connection in
            guard let row = try await connection.query("""
                SELECT s.created_at AS session_created_at, s.expires_at, k.*, p.partner_name, p.display_name, p.status,
                    p.created_at AS partner_created_at
                FROM dashboard_sessions s JOIN api_keys k ON k.key_id = s.key_id
                LEFT JOIN partners p ON p.partner_id = k.partner_id
                WHERE s.token_hash = \(tokenHash)
                """, logger: self.logger).first()
            else { return nil }
            let key = try Self.key(from: row)
            let partner = try key.partnerID.map { partnerID in
                Partner(
                    partnerID: partnerID, partnerName: try row.value("partner_name"), displayName: try row.value("display_name"),
                    status: PartnerStatus(rawValue: try row.value("status")) ?? .active, createdAt: try row.value("partner_created_at"))
            }
            return .some(DashboardSessionRecord(
                key: key, partner: partner, createdAt: try row.value("session_created_at"), expiresAt: try row.value("expires_at")))
        }
        return found ?? nil
    }

    public func deleteDashboardSession(tokenHash: String) async throws {
        try await withConnection { connection in
            try await connection.query("DELETE FROM dashboard_sessions WHERE token_hash = \(tokenHash)", logger: self.logger).drain()
        }
    }

    public func deleteDashboardSessions(expiredBy date: Date) async throws {
        try await withConnection { connection in
            try await connection.query("DELETE FROM dashboard_sessions WHERE expires_at <= \(date)", logger: self.logger).drain()
        }
    }
}
