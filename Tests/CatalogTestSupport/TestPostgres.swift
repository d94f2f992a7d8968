import CatalogPostgres
import Foundation
import Logging
import PostgresNIO

/// The throwaway PostgreSQL that `make test` starts (scripts/postgres.sh). Each test gets a database
/// of its own. Without the server the tests fail: a missing server is never a silent skip.
public enum TestPostgres {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String {
            "CATALOG_TEST_DATABASE_URL is not set: run the tests with `make test` or `scripts/with-postgres.sh swift test`."
        }
    }

    public static func serverURL() throws -> URLComponents {
        guard let raw = ProcessInfo.processInfo.environment["CATALOG_TEST_DATABASE_URL"], !raw.isEmpty,
              let components = URLComponents(string: raw)
        else { throw Missing() }
        return components
    }

    /// Creates an empty database and returns its URL.
    public static func freshDatabaseURL() async throws -> String {
        let name = "catalog_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await execute("CREATE DATABASE \(name)")
        var components = try serverURL()
        components.path = "/" + name
        return components.string!
    }

    /// A migrated store on a fresh database. The request timeout is generous: the whole suite runs in
    /// parallel on two cores, and a starved test is not an outage.
    public static func freshStore() async throws -> (store: PostgresCatalogStore, url: String) {
        let url = try await freshDatabaseURL()
        let store = try PostgresCatalogStore(url: url, requestTimeout: .seconds(60))
        try await store.migrate()
        return (store, url)
    }

    /// Runs one statement on `url` (or the server's own database) over a short-lived connection.
    public static func execute(_ sql: String, url: String? = nil) async throws {
        _ = try await rows(sql, url: url)
    }

    /// A result cell as text: numbers in decimal, timestamps in ISO 8601 UTC, NULL as nil.
    static func text(_ cell: PostgresCell) throws -> String? {
        guard cell.bytes != nil else { return nil }
        switch cell.dataType {
        case .int2, .int4, .int8: return String(try cell.decode(Int64.self))
        case .bool: return String(try cell.decode(Bool.self))
        case .timestamptz, .timestamp:
            return try cell.decode(Date.self).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt))
        default: return try cell.decode(String.self)
        }
    }

    /// The rows of one query, each as column name → text (nil for NULL).
    public static func rows(_ sql: String, url: String? = nil) async throws -> [[String: String?]] {
        let components = try url.flatMap(URLComponents.init(string:)) ?? serverURL()
        let configuration = PostgresConnection.Configuration(
            host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: String(components.path.dropFirst()), tls: .disable)
        let logger = Logger(label: "test-postgres")
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            var result: [[String: String?]] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) {
                var values: [String: String?] = [:]
                for cell in row {
                    values[cell.columnName] = try text(cell)
                }
                result.append(values)
            }
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
