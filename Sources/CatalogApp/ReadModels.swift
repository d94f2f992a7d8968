import CatalogCore
import CatalogPostgres
import CatalogSQLite
import Foundation
import Logging
import ServiceLifecycle

/// A node's read model and the follower that keeps it current.
public struct ReadModelParts: Sendable {
    public let follower: ProductFeedFollower
    /// PostgreSQL mode's node-local SQLite copy; nil for the embedded store, which is its own read model.
    public let cache: SQLiteProductCache?
}

enum ReadModels {
    /// §Products: in PostgreSQL mode a node-local SQLite copy of the products, copied from one snapshot
    /// before the node listens and then kept current by following the change feed; the embedded store
    /// is its own read model. Either way the follower tells the live streams.
    static func attach(to catalog: Catalog, builder: CatalogBuilder) async throws -> (Catalog, ReadModelParts) {
        let logger = builder.logger
        guard let store = catalog.store as? PostgresCatalogStore else {
            // No notifications between processes here: a `worker` beside `serve` finishes jobs that only a
            // look at the local change feed reveals, so the look comes twice a second (it costs one indexed read).
            let follower = ProductFeedFollower(
                log: catalog.store, cache: nil, items: catalog.store as? any CatalogItemIndex, listeners: catalog.changeListeners,
                events: catalog.events, catchUpInterval: builder.catchUpInterval ?? 0.5, logger: logger)
            try await follower.start(snapshot: nil)
            var served = catalog
            if let embedded = catalog.store as? SQLiteCatalogStore {
                served = catalog.withReadModel(FollowedReadModel(reader: embedded, follower: follower, servesProductsAtCommit: true))
            }
            return (served, ReadModelParts(follower: follower, cache: nil))
        }
        let directory = builder.configuration.cacheDirectory
        removeCachesOfDeadProcesses(in: directory)
        let cache = try SQLiteProductCache(path: builder.cacheFile ?? directory + "/products-\(getpid()).sqlite")
        let follower = ProductFeedFollower(
            log: store, cache: cache, items: cache, listeners: catalog.changeListeners, events: catalog.events,
            catchUpInterval: builder.catchUpInterval ?? 5, logger: logger)
        let clock = ContinuousClock()
        let started = clock.now
        try await follower.start(snapshot: store)
        let (count, token) = (try await cache.count(), await follower.token)
        logger.info("read model built", metadata: [
            "products": .stringConvertible(count), "path": .string(cache.path),
            "duration": .string("\(clock.now - started)"), "change": .string(token.encoded),
        ])
        return (catalog.withReadModel(FollowedReadModel(reader: cache, follower: follower)), ReadModelParts(follower: follower, cache: cache))
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
