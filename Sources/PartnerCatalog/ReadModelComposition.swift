import CatalogCore
import CatalogPostgres
import CatalogSQLite
import Foundation
import Logging
import ServiceLifecycle

extension Composition {
    /// `serve`'s read model (§Products): in PostgreSQL mode a node-local SQLite copy of the products,
    /// copied from one snapshot before the node listens and then kept current by following the change
    /// feed; the embedded store is its own read model. Either way a follower tells the live streams.
    static func withReadModel(_ runtime: Runtime, _ settings: StoreSettings, logger: Logger) async throws -> Runtime {
        let catalog = runtime.catalog
        guard let store = catalog.store as? PostgresCatalogStore else {
            // No notifications between processes here: a `worker` beside `serve` finishes jobs that only a
            // look at the local change feed reveals, so the look comes twice a second (it costs one indexed read).
            let follower = ProductFeedFollower(
                log: catalog.store, cache: nil, items: catalog.store as? any CatalogItemIndex, listeners: catalog.changeListeners,
                events: catalog.events, catchUpInterval: 0.5, logger: logger)
            try await follower.start(snapshot: nil)
            var built = runtime.adding(ReadModelService(follower: follower, cache: nil))
            if let embedded = catalog.store as? SQLiteCatalogStore {
                built.catalog = catalog.withReadModel(FollowedReadModel(reader: embedded, follower: follower, servesProductsAtCommit: true))
            }
            return built
        }
        let directory = settings.dataDirectory + "/cache"
        removeCachesOfDeadProcesses(in: directory)
        let cache = try SQLiteProductCache(path: directory + "/products-\(getpid()).sqlite")
        let follower = ProductFeedFollower(log: store, cache: cache, items: cache, listeners: catalog.changeListeners, events: catalog.events, logger: logger)
        let clock = ContinuousClock()
        let started = clock.now
        try await follower.start(snapshot: store)
        let (count, token) = (try await cache.count(), await follower.token)
        logger.info("read model built", metadata: [
            "products": .stringConvertible(count), "path": .string(cache.path),
            "duration": .string("\(clock.now - started)"), "change": .string(token.encoded),
        ])
        var built = runtime.adding(ReadModelService(follower: follower, cache: cache))
        built.catalog = catalog.withReadModel(FollowedReadModel(reader: cache, follower: follower))
        return built
    }
}

/// Nodes sharing a data folder each have their own cache file; a node that died left its file behind.
private func removeCachesOfDeadProcesses(in directory: String) {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    for file in files where file.hasPrefix("products-") {
        let pidText = file.dropFirst("products-".count).prefix { $0.isNumber }
        guard let pid = pid_t(pidText), kill(pid, 0) != 0, errno == ESRCH else { continue }
        try? FileManager.default.removeItem(atPath: directory + "/" + file)
    }
}

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
    let store: any CatalogStore
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown { await table.follow(store, logger: logger) }
    }
}
