import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: DashboardSessionRepository {
    public func createDashboardSession(tokenHash: String, keyID: String, createdAt: Date, expiresAt: Date) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO dashboard_sessions (token_hash, key_id, created_at, expires_at) VALUES (?, ?, ?, ?)
                """, arguments: [tokenHash, keyID, createdAt, expiresAt])
        }
    }

    public func dashboardSession(tokenHash: String) async throws -> DashboardSessionRecord? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.created_at AS session_created_at, s.expires_at, k.*, p.partner_name
                FROM dashboard_sessions s JOIN api_keys k ON k.key_id = s.key_id
                LEFT JOIN partners p ON p.partner_id = k.partner_id
                WHERE s.token_hash = ?
                """, arguments: [tokenHash])
            else { return nil }
            let key = Self.key(from: row)
            let partner = try key.partnerID.flatMap { id in
                try Row.fetchOne(db, sql: "SELECT * FROM partners WHERE partner_id = ?", arguments: [id]).map(Self.partner(from:))
            }
            return DashboardSessionRecord(key: key, partner: partner, createdAt: row["session_created_at"], expiresAt: row["expires_at"])
        }
    }

    public func deleteDashboardSession(tokenHash: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM dashboard_sessions WHERE token_hash = ?", arguments: [tokenHash])
        }
    }

    public func deleteDashboardSessions(expiredBy date: Date) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM dashboard_sessions WHERE expires_at <= ?", arguments: [date])
        }
    }
}
