import CatalogCore
import Foundation
import GRDB

/// The embedded catalog store: one SQLite file in WAL mode, shared safely by several processes.
public final class SQLiteCatalogStore: Sendable {
    let pool: DatabasePool
    /// The read model's catalog items, kept in this file beside the products they group.
    let catalogItems: SQLiteCatalogItems

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(15)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.setPageCacheSize()
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CatalogError.storageUnavailable("Cannot create the data folder \(directory): \(error.localizedDescription)")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteMigrations.migrator.migrate(pool)
            catalogItems = try SQLiteCatalogItems(pool: pool)
        } catch let error as DatabaseError {
            throw CatalogError.storageUnavailable("Cannot open the embedded database at \(path): \(error.message ?? "\(error.resultCode)")")
        }
    }

    /// The migrations applied so far, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try SQLiteMigrations.migrator.appliedMigrations(db) }
    }

    func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as DatabaseError {
            throw Self.map(error)
        }
    }

    func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as DatabaseError {
            throw Self.map(error)
        }
    }

    private static func map(_ error: DatabaseError) -> any Error {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_CANTOPEN, .SQLITE_READONLY:
            return CatalogError.storageUnavailable("The embedded database is unavailable (\(error.resultCode)).")
        default:
            return CatalogError(.internal, "A database operation failed (\(error.resultCode): \(error.message ?? "no message")).")
        }
    }
}

extension SQLiteCatalogStore: StoreHealth {
    public func ping() async throws {
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}

extension SQLiteCatalogStore: IDAllocator {
    public func nextID(_ kind: IDKind) async throws -> String {
        try await write { db in try Self.allocate(kind, db) }
    }

    static func allocate(_ kind: IDKind, _ db: Database) throws -> String {
        let value = try Int64.fetchOne(db, sql: """
            INSERT INTO id_counters (kind, value) VALUES (?, 1)
            ON CONFLICT (kind) DO UPDATE SET value = value + 1
            RETURNING value
            """, arguments: [kind.rawValue])!
        return kind.format(value)
    }
}
