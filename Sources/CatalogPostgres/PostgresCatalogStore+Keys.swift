import CatalogCore
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalogStore: APIKeyRepository {
    private static let keySelect = """
        SELECT k.*, p.partner_name FROM api_keys k LEFT JOIN partners p ON p.partner_id = k.partner_id
        """

    public func createKey(hash: String, role: Role, partnerID: String?, label: String?, at date: Date) async throws -> APIKeyRecord {
        try await transaction { connection in
            let block = try await Self.allocate(.apiKey, count: 1, connection, self.logger)
            do {
                try await connection.query("""
                    INSERT INTO api_keys (seq, key_id, key_hash, role, partner_id, label, created_at)
                    VALUES (\(block.last), \(block.formatted), \(hash), \(role.rawValue), \(partnerID), \(label), \(date))
                    """, logger: self.logger).drain()
            } catch where PostgresErrors.sqlState(error) == PostgresErrors.uniqueViolation {
                throw CatalogError.conflict("This key is registered already.")
            }
            try await Self.bumpCredentials(connection, self.logger)
            guard let record = try await Self.key(id: block.formatted, connection, self.logger) else {
                throw CatalogError(.internal, "The new key \(block.formatted) was not stored.")
            }
            return record
        }
    }

    /// One round trip, on every authenticated request: the key with its partner joined in.
    public func activeKey(hash: String) async throws -> (APIKeyRecord, Partner?)? {
        let found: (APIKeyRecord, Partner?)?? = try await withConnection { connection in
            guard let row = try await connection.query("""
                SELECT k.*, p.partner_name, p.display_name, p.status, p.created_at AS partner_created_at
                FROM api_keys k LEFT JOIN partners p ON p.partner_id = k.partner_id
                WHERE k.key_hash = \(hash) AND k.revoked_at IS NULL
                """, logger: self.logger).first()
            else { return nil }
            let record = try Self.key(from: row)
            let partner = try record.partnerID.map { partnerID in
                Partner(
                    partnerID: partnerID, partnerName: try row.value("partner_name"), displayName: try row.value("display_name"),
                    status: PartnerStatus(rawValue: try row.value("status")) ?? .active,
                    createdAt: try row.value("partner_created_at"))
            }
            return .some((record, partner))
        }
        return found ?? nil
    }

    public func listKeys() async throws -> [APIKeyRecord] {
        try await withConnection { connection in
            try await connection.query("\(unescaped: Self.keySelect) ORDER BY k.seq", logger: self.logger).rows().map(Self.key(from:))
        }
    }

    public func revokeKey(id: String, at date: Date) async throws -> APIKeyRecord? {
        try await transaction { connection in
            let revoked = try await connection.query("""
                UPDATE api_keys SET revoked_at = \(date) WHERE key_id = \(id) AND revoked_at IS NULL RETURNING 1
                """, logger: self.logger).one(Int.self)
            if revoked != nil { try await Self.bumpCredentials(connection, self.logger) }
            return try await Self.key(id: id, connection, self.logger)
        }
    }

    public func activeKeys() async throws -> [ActiveKey] {
        try await withConnection { connection in
            let partners = Dictionary(uniqueKeysWithValues: try await connection.query("SELECT * FROM partners", logger: self.logger)
                .rows().map(Self.partner(from:)).map { ($0.partnerID, $0) })
            return try await connection.query("\(unescaped: Self.keySelect) WHERE k.revoked_at IS NULL", logger: self.logger).rows().map { row in
                let record = try Self.key(from: row)
                return ActiveKey(hash: try row.value("key_hash"), record: record, partner: record.partnerID.flatMap { partners[$0] })
            }
        }
    }

    public func credentialsVersion() async throws -> Int64 {
        try await withConnection { connection in
            try await connection.query("SELECT value FROM id_counters WHERE kind = 'credentials'", logger: self.logger).one(Int64.self) ?? 0
        }
    }

    /// In every transaction that changes what a key may do.
    static func bumpCredentials(_ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO id_counters (kind, value) VALUES ('credentials', 1)
            ON CONFLICT (kind) DO UPDATE SET value = id_counters.value + 1
            """, logger: logger).drain()
    }

    public func countKeys() async throws -> Int {
        try await withConnection { connection in
            try await connection.query("SELECT count(*) FROM api_keys", logger: self.logger).one(Int.self) ?? 0
        }
    }

    static func key(id: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> APIKeyRecord? {
        try await connection.query("\(unescaped: keySelect) WHERE k.key_id = \(id)", logger: logger).first().map(key(from:))
    }

    static func key(from row: PostgresRandomAccessRow) throws -> APIKeyRecord {
        APIKeyRecord(
            keyID: try row.value("key_id"), role: Role(rawValue: try row.value("role")) ?? .reader,
            partnerID: try row.optional("partner_id"), partnerName: try row.optional("partner_name"),
            label: try row.optional("label"), createdAt: try row.value("created_at"), revokedAt: try row.optional("revoked_at"))
    }
}
