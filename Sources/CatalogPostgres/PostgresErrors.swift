import CatalogCore
import PostgresNIO

enum PostgresErrors {
    /// SQLSTATE codes the adapter treats specially.
    static let uniqueViolation = "23505"

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Server-reported statement errors are bugs (500); everything about reaching the server is 503.
    static func map(_ error: PSQLError) -> any Error {
        if let state = error.serverInfo?[.sqlState] {
            // Class 08 (connection), 53 (resources), 57 (operator intervention: shutdown, admin kill).
            if state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57") {
                return CatalogError.storageUnavailable("PostgreSQL is unavailable (SQLSTATE \(state)).")
            }
            let message = error.serverInfo?[.message] ?? "unknown"
            return CatalogError(.internal, "A database operation failed (SQLSTATE \(state): \(message)).")
        }
        return CatalogError.storageUnavailable("PostgreSQL is unavailable (\(error.code)).")
    }
}
