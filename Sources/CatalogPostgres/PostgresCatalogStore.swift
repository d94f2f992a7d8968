import CatalogCore
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The production catalog store: PostgreSQL through a pooled `PostgresClient`. Any number of
/// processes share it; counters, leases and merges are safe across them.
public final class PostgresCatalogStore: Sendable {
    let client: PostgresClient
    let configuration: PostgresURL
    let logger: Logger
    private let running: Task<Void, Never>

    /// How long a request-path operation may wait for the database before it answers 503.
    let requestTimeout: Duration

    /// How long an operation may wait for the database.
    enum Patience {
        /// The request timeout: an outage answers 503 quickly.
        case request
        case upTo(Duration)
        /// Merges of large feeds take as long as they take.
        case unbounded
    }

    /// Connects lazily: nothing is sent until the first query. Call `migrate()` before serving.
    public init(
        url: String, requestTimeout: Duration = .seconds(5), logger: Logger = Logger(label: "partner-catalog.postgres")
    ) throws {
        self.requestTimeout = requestTimeout
        let parsed = try PostgresURL(url)
        self.configuration = parsed
        self.logger = logger
        // The pool logs every failed connection attempt at info; outages are reported by the callers instead.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .warning)
        let client = PostgresClient(configuration: parsed.clientConfiguration(), backgroundLogger: poolLogger)
        self.client = client
        running = Task { await client.run() }
    }

    deinit { running.cancel() }

    /// Stops the connection pool; queries fail afterwards.
    public func shutdown() {
        running.cancel()
    }

    /// Applies pending migrations under an advisory lock; returns the names applied by this call.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await transaction(.upTo(.seconds(120))) { connection in
            try await PostgresMigrator.migrate(connection, logger: self.logger)
        }
    }

    /// The migrations applied so far, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await withConnection { connection in try await PostgresMigrator.applied(connection, logger: self.logger) }
    }

    // MARK: - Running statements

    func withConnection<T: Sendable>(
        _ patience: Patience = .request, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await guarded(patience) {
            try await self.client.withConnection { connection in try await body(connection) }
        }
    }

    func transaction<T: Sendable>(
        _ patience: Patience = .request, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await guarded(patience) {
            try await self.client.withConnection { connection in
                try await Self.inTransaction(connection, self.logger) { try await body(connection) }
            }
        }
    }

    /// BEGIN … COMMIT, rolling back on any error and rethrowing that error as it is (PostgresNIO's own
    /// `withTransaction` wraps it, which would hide a `CatalogError` from the caller).
    static func inTransaction<T: Sendable>(
        _ connection: PostgresConnection, _ logger: Logger, _ body: () async throws -> T
    ) async throws -> T {
        try await connection.query("BEGIN", logger: logger).drain()
        do {
            let value = try await body()
            try await connection.query("COMMIT", logger: logger).drain()
            return value
        } catch {
            try? await connection.query("ROLLBACK", logger: logger).drain()
            throw error
        }
    }

    /// Runs `body`, answering `STORAGE_UNAVAILABLE` when the server cannot be reached or does not answer in time.
    private func guarded<T: Sendable>(_ patience: Patience, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let timeout: Duration?
        switch patience {
        case .request: timeout = requestTimeout
        case .upTo(let limit): timeout = limit
        case .unbounded: timeout = nil
        }
        do {
            guard let timeout else { return try await body() }
            guard let value = try await Deadline.run(timeout, body) else {
                throw CatalogError.storageUnavailable("PostgreSQL did not answer within \(timeout).")
            }
            return value
        } catch let error as CatalogError {
            throw error
        } catch let error as TaskLeaseLost {
            throw error
        } catch let error as PSQLError {
            throw PostgresErrors.map(error)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw CatalogError.storageUnavailable("PostgreSQL is unavailable: \(error)")
        }
    }
}

extension PostgresCatalogStore {
    /// Inserts a batch of staged rows (`ColumnArrays`) in one query.
    func insert(_ rows: ColumnArrays) async throws {
        guard rows.rowCount > 0 else { return }
        try await withConnection(.upTo(.seconds(120))) { connection in
            try await connection.query(rows.insert, logger: self.logger).drain()
        }
    }
}

extension PostgresCatalogStore: StoreHealth {
    public func ping() async throws {
        try await withConnection(.upTo(.seconds(3))) { connection in
            try await connection.query("SELECT 1", logger: self.logger).drain()
        }
    }
}

extension PostgresCatalogStore: IDAllocator {
    public func nextID(_ kind: IDKind) async throws -> String {
        try await withConnection { connection in try await Self.allocate(kind, count: 1, connection, self.logger).formatted }
    }

    struct AllocatedBlock {
        let kind: IDKind
        /// The last number of the block; the block is `last - count + 1 ... last`.
        let last: Int64
        var formatted: String { kind.format(last) }
    }

    static func allocate(_ kind: IDKind, count: Int64, _ connection: PostgresConnection, _ logger: Logger) async throws -> AllocatedBlock {
        let rows = try await connection.query("""
            INSERT INTO id_counters (kind, value) VALUES (\(kind.rawValue), \(count))
            ON CONFLICT (kind) DO UPDATE SET value = id_counters.value + excluded.value
            RETURNING value
            """, logger: logger)
        guard let last = try await rows.one(Int64.self) else {
            throw CatalogError(.internal, "The \(kind.rawValue) counter returned nothing.")
        }
        return AllocatedBlock(kind: kind, last: last)
    }
}

extension PostgresCatalogStore {
    /// The database URL without its password.
    public var redactedURL: String { configuration.redacted }
}
