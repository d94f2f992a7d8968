import CatalogCore
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalogStore: PartnerRepository {
    public func createPartner(name: String, displayName: String, at date: Date) async throws -> Partner {
        try await transaction { connection in
            if try await Self.partner(named: name, connection, self.logger) != nil {
                throw CatalogError.conflict("Partner name '\(name)' is taken.")
            }
            do {
                return try await Self.insertPartner(name: name, displayName: displayName, at: date, connection, self.logger)
            } catch where PostgresErrors.sqlState(error) == PostgresErrors.uniqueViolation {
                throw CatalogError.conflict("Partner name '\(name)' is taken.")
            }
        }
    }

    public func partner(id: String) async throws -> Partner? {
        try await withConnection { connection in
            try await connection.query("SELECT * FROM partners WHERE partner_id = \(id)", logger: self.logger)
                .first().map(Self.partner(from:))
        }
    }

    public func partner(name: String) async throws -> Partner? {
        try await withConnection { connection in try await Self.partner(named: name, connection, self.logger) }
    }

    public func listPartners(_ page: PageRequest) async throws -> Page<Partner> {
        try await withConnection { connection in
            let rows = try await connection.query("""
                SELECT * FROM partners WHERE seq > \(page.after ?? 0) ORDER BY seq LIMIT \(page.limit + 1)
                """, logger: self.logger).rows()
            return try Self.page(rows, limit: page.limit, map: Self.partner(from:))
        }
    }

    public func setPartnerStatus(id: String, _ status: PartnerStatus) async throws -> Partner? {
        try await transaction { connection in
            let partner = try await connection.query("""
                UPDATE partners SET status = \(status.rawValue) WHERE partner_id = \(id) RETURNING *
                """, logger: self.logger).first().map(Self.partner(from:))
            if partner != nil { try await Self.bumpCredentials(connection, self.logger) }
            return partner
        }
    }

    static func partner(named name: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> Partner? {
        try await connection.query("SELECT * FROM partners WHERE partner_name = \(name)", logger: logger).first().map(partner(from:))
    }

    static func insertPartner(
        name: String, displayName: String, at date: Date, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> Partner {
        let block = try await allocate(.partner, count: 1, connection, logger)
        let partner = Partner(partnerID: block.formatted, partnerName: name, displayName: displayName, status: .active, createdAt: date)
        try await connection.query("""
            INSERT INTO partners (seq, partner_id, partner_name, display_name, status, created_at)
            VALUES (\(block.last), \(partner.partnerID), \(name), \(displayName), \(partner.status.rawValue), \(date))
            """, logger: logger).drain()
        return partner
    }

    static func partner(from row: PostgresRandomAccessRow) throws -> Partner {
        Partner(
            partnerID: try row.value("partner_id"), partnerName: try row.value("partner_name"),
            displayName: try row.value("display_name"),
            status: PartnerStatus(rawValue: try row.value("status")) ?? .active, createdAt: try row.value("created_at"))
    }

    /// Rows fetched with `LIMIT limit + 1`: the extra row only tells that another page exists. The next
    /// page starts after the last row's `key` column.
    static func page<T: Sendable>(
        _ rows: [PostgresRandomAccessRow], limit: Int, key: String = "seq", map: (PostgresRandomAccessRow) throws -> T
    ) throws -> Page<T> {
        let items = rows.prefix(limit)
        let next: Int64? = rows.count > limit ? try items.last?.value(key, Int64.self) : nil
        return Page(items: try items.map(map), nextAfter: next)
    }
}
