import CatalogCore
import CatalogPostgres
import CatalogSQLite
import Logging
import ServiceLifecycle

/// Follows the change feed while `serve` runs, and deletes the node's cache file at shutdown.
struct ReadModelService: Service {
    let follower: ProductFeedFollower
    let cache: SQLiteProductCache?

    func run() async throws {
        await cancelWhenGracefulShutdown { await follower.run() }
        cache?.remove()
    }
}

/// Keeps the node's in-memory API keys current while `serve` runs.
struct KeyTableService: Service {
    let table: KeyTable
    let store: any APIKeyRepository
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown { await table.follow(store, logger: logger) }
    }
}

/// PostgreSQL LISTEN/NOTIFY as a lifecycle service.
struct PostgresListenerService: Service {
    let listener: PostgresJobListener

    func run() async throws {
        try await cancelWhenGracefulShutdown { await listener.run() }
    }
}
