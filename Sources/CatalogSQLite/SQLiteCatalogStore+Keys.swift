import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: APIKeyRepository {
    public func createKey(hash: String, role: Role, partnerID: String?, label: String?, at date: Date) async throws -> APIKeyRecord {
        try await write { db in
            let id = try Self.allocate(.apiKey, db)
            do {
                try db.execute(sql: """
                    INSERT INTO api_keys (seq, key_id, key_hash, role, partner_id, label, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [IDKind.apiKey.number(of: id), id, hash, role.rawValue, partnerID, label, date])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw CatalogError.conflict("This key is registered already.")
            }
            try Self.bumpCredentials(db)
            return try Self.key(id: id, db)!
        }
    }

    public func activeKey(hash: String) async throws -> (APIKeyRecord, Partner?)? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT k.*, p.partner_name FROM api_keys k LEFT JOIN partners p ON p.partner_id = k.partner_id
                WHERE k.key_hash = ? AND k.revoked_at IS NULL
                """, arguments: [hash])
            else { return nil }
            let record = Self.key(from: row)
            let partner = try record.partnerID.flatMap { id in
                try Row.fetchOne(db, sql: "SELECT * FROM partners WHERE partner_id = ?", arguments: [id]).map(Self.partner(from:))
            }
            return (record, partner)
        }
    }

    public func listKeys() async throws -> [APIKeyRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT k.*, p.partner_name FROM api_keys k LEFT JOIN partners p ON p.partner_id = k.partner_id ORDER BY k.seq
                """).map(Self.key(from:))
        }
    }

    public func revokeKey(id: String, at date: Date) async throws -> APIKeyRecord? {
        try await write { db in
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL", arguments: [date, id])
            if db.changesCount > 0 { try Self.bumpCredentials(db) }
            return try Self.key(id: id, db)
        }
    }

    public func countKeys() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM api_keys") ?? 0 }
    }

    public func activeKeys() async throws -> [ActiveKey] {
        try await read { db in
            let partners = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT * FROM partners").map(Self.partner(from:))
                .map { ($0.partnerID, $0) })
            return try Row.fetchAll(db, sql: """
                SELECT k.*, p.partner_name FROM api_keys k LEFT JOIN partners p ON p.partner_id = k.partner_id WHERE k.revoked_at IS NULL
                """).map { row in
                let record = Self.key(from: row)
                return ActiveKey(hash: row["key_hash"], record: record, partner: record.partnerID.flatMap { partners[$0] })
            }
        }
    }

    public func credentialsVersion() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT value FROM id_counters WHERE kind = 'credentials'") ?? 0 }
    }

    /// In every transaction that changes what a key may do.
    static func bumpCredentials(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO id_counters (kind, value) VALUES ('credentials', 1) ON CONFLICT (kind) DO UPDATE SET value = value + 1
            """)
    }

    static func key(id: String, _ db: Database) throws -> APIKeyRecord? {
        try Row.fetchOne(db, sql: """
            SELECT k.*, p.partner_name FROM api_keys k LEFT JOIN partners p ON p.partner_id = k.partner_id WHERE k.key_id = ?
            """, arguments: [id]).map(key(from:))
    }

    static func key(from row: Row) -> APIKeyRecord {
        APIKeyRecord(
            keyID: row["key_id"], role: Role(rawValue: row["role"]) ?? .reader, partnerID: row["partner_id"],
            partnerName: row["partner_name"], label: row["label"], createdAt: row["created_at"], revokedAt: row["revoked_at"])
    }
}
