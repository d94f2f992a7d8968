import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: PartnerRepository {
    public func createPartner(name: String, displayName: String, at date: Date) async throws -> Partner {
        try await write { db in
            if try Self.partner(named: name, db) != nil {
                throw CatalogError.conflict("Partner name '\(name)' is taken.")
            }
            return try Self.insertPartner(name: name, displayName: displayName, at: date, db)
        }
    }

    public func partner(id: String) async throws -> Partner? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM partners WHERE partner_id = ?", arguments: [id]).map(Self.partner(from:))
        }
    }

    public func partner(name: String) async throws -> Partner? {
        try await read { db in try Self.partner(named: name, db) }
    }

    public func listPartners(_ page: PageRequest) async throws -> Page<Partner> {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM partners WHERE seq > ? ORDER BY seq LIMIT ?
                """, arguments: [page.after ?? 0, page.limit + 1])
            return Self.page(rows, limit: page.limit, map: Self.partner(from:))
        }
    }

    public func setPartnerStatus(id: String, _ status: PartnerStatus) async throws -> Partner? {
        try await write { db in
            try db.execute(sql: "UPDATE partners SET status = ? WHERE partner_id = ?", arguments: [status.rawValue, id])
            if db.changesCount > 0 { try Self.bumpCredentials(db) }
            return try Row.fetchOne(db, sql: "SELECT * FROM partners WHERE partner_id = ?", arguments: [id]).map(Self.partner(from:))
        }
    }

    static func partner(named name: String, _ db: Database) throws -> Partner? {
        try Row.fetchOne(db, sql: "SELECT * FROM partners WHERE partner_name = ?", arguments: [name]).map(partner(from:))
    }

    static func insertPartner(name: String, displayName: String, at date: Date, _ db: Database) throws -> Partner {
        let id = try allocate(.partner, db)
        let partner = Partner(partnerID: id, partnerName: name, displayName: displayName, status: .active, createdAt: date)
        try db.execute(sql: """
            INSERT INTO partners (seq, partner_id, partner_name, display_name, status, created_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [IDKind.partner.number(of: id), id, name, displayName, partner.status.rawValue, date])
        return partner
    }

    static func partner(from row: Row) -> Partner {
        Partner(
            partnerID: row["partner_id"], partnerName: row["partner_name"], displayName: row["display_name"],
            status: PartnerStatus(rawValue: row["status"]) ?? .active, createdAt: row["created_at"])
    }

    /// Rows fetched with `LIMIT limit + 1`: the extra row only tells that another page exists. The next
    /// page starts after the last row's `key` column.
    static func page<T: Sendable>(_ rows: [Row], limit: Int, key: String = "seq", map: (Row) -> T) -> Page<T> {
        let items = rows.prefix(limit)
        let next: Int64? = rows.count > limit ? items.last?[key] : nil
        return Page(items: items.map(map), nextAfter: next)
    }
}
