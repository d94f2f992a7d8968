import CatalogCore
import CatalogPostgres
import CatalogSQLite
import Foundation
import Logging
import ServiceLifecycle

extension Composition {
    /// In PostgreSQL mode, `serve` reads active products from a node-local SQLite copy: built here before
    /// the node listens, kept current by `ProductCacheService`. The embedded store needs no copy.
    static func withProductCache(_ runtime: Runtime, _ settings: StoreSettings, logger: Logger) async throws -> Runtime {
        guard let store = runtime.catalog.store as? PostgresCatalogStore else { return runtime }
        let cache = try SQLiteProductCache(path: settings.dataDirectory + "/cache/products-\(getpid()).sqlite")
        let sync = ProductCacheSync(source: store, cache: cache, events: runtime.catalog.events, logger: logger)
        let clock = ContinuousClock()
        let started = clock.now
        try await sync.build()
        let count = try await cache.count()
        logger.info("product cache built", metadata: [
            "products": .stringConvertible(count), "path": .string(cache.path),
            "duration": .string("\(clock.now - started)"),
        ])
        return Runtime(
            catalog: runtime.catalog.readingProducts(from: CachedProductReader(cache: cache, primary: store)),
            services: runtime.services + [ProductCacheService(sync: sync, cache: cache)],
            storeDescription: runtime.storeDescription, migrations: runtime.migrations)
    }
}

/// Keeps the node's product cache current while `serve` runs, and deletes it at shutdown.
struct ProductCacheService: Service {
    let sync: ProductCacheSync
    let cache: SQLiteProductCache

    func run() async throws {
        await cancelWhenGracefulShutdown { await sync.run() }
        cache.remove()
    }
}
