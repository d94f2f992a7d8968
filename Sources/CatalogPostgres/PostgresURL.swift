import CatalogCore
import Foundation
import PostgresNIO

/// `postgres://user:password@host:port/database?sslmode=disable|prefer|require`, as libpq reads it.
struct PostgresURL: Sendable {
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String
    var tls: TLSMode

    enum TLSMode: String, Sendable {
        case disable, prefer, require
    }

    init(_ text: String) throws {
        func invalid(_ why: String) -> CatalogError {
            CatalogError.validation("CATALOG_DATABASE_URL is not usable: \(why).", parameter: "CATALOG_DATABASE_URL")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme else {
            throw invalid("expected postgres://user:password@host:port/database")
        }
        guard scheme == "postgres" || scheme == "postgresql" else { throw invalid("the scheme must be postgres://") }
        guard let host = components.host, !host.isEmpty else { throw invalid("the host is missing") }
        guard let user = components.user, !user.isEmpty else { throw invalid("the user name is missing") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw invalid("the database name is missing") }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        let sslmode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        guard let mode = TLSMode(rawValue: sslmode) else { throw invalid("sslmode must be disable, prefer or require") }
        self.tls = mode
    }

    func clientConfiguration() -> PostgresClient.Configuration {
        let tlsSetting: PostgresClient.Configuration.TLS
        switch tls {
        case .disable: tlsSetting = .disable
        case .prefer: tlsSetting = .prefer(.makeClientConfiguration())
        case .require: tlsSetting = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tlsSetting)
        configuration.options.connectTimeout = .seconds(3)
        configuration.options.maximumConnections = 16
        return configuration
    }

    /// The URL with its password hidden, for messages and logs.
    var redacted: String { "postgres://\(user)@\(host):\(port)/\(database)" }
}
