import Foundation
import Logging
import PostgresNIO

/// Applies `PostgresMigrations` in order, recording each in `schema_migrations`.
enum PostgresMigrator {
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresMigrations.advisoryLock))", logger: logger).drain()
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name TEXT PRIMARY KEY,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """, logger: logger).drain()
        let done = Set(try await applied(connection, logger: logger))
        var applied: [String] = []
        for migration in PostgresMigrations.all where !done.contains(migration.name) {
            for statement in statements(migration.sql) {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).drain()
            }
            try await connection.query("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: logger).drain()
            applied.append(migration.name)
        }
        if applied.contains("018_catalog_items") {
            try await PostgresCatalogItemMigrations.numberExistingProducts(connection, logger)
        }
        return applied
    }

    static func applied(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger).one(Bool.self)
        guard exists == true else { return [] }
        var names: [String] = []
        for try await name in try await connection.query("SELECT name FROM schema_migrations ORDER BY name", logger: logger)
            .decode(String.self) {
            names.append(name)
        }
        return names
    }

    /// The extended protocol runs one statement at a time; migrations end each statement with `;` at a line end.
    static func statements(_ sql: String) -> [String] {
        sql.components(separatedBy: ";\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }
            .filter { statement in
                statement.split(separator: "\n").contains { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
            }
    }
}
