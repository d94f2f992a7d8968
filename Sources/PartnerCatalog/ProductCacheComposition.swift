import ArgumentParser
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
        let directory = settings.dataDirectory + "/cache"
        removeCachesOfDeadProcesses(in: directory)
        let cache = try SQLiteProductCache(path: directory + "/products-\(getpid()).sqlite")
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

/// Nodes sharing a data folder each have their own cache file; a node that died left its file behind.
private func removeCachesOfDeadProcesses(in directory: String) {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    for file in files where file.hasPrefix("products-") {
        let pidText = file.dropFirst("products-".count).prefix { $0.isNumber }
        guard let pid = pid_t(pidText), kill(pid, 0) != 0, errno == ESRCH else { continue }
        try? FileManager.default.removeItem(atPath: directory + "/" + file)
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

/// `CATALOG_PRODUCT_CACHE`: whether `serve` in PostgreSQL mode reads active products from its own copy.
struct ProductCacheOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: """
        PostgreSQL mode: serve active products from a local SQLite copy (--no-product-cache: straight from \
        PostgreSQL). [env: CATALOG_PRODUCT_CACHE, default: true]
        """)
    var productCache: Bool?

    func resolve() throws -> Bool {
        if let productCache { return productCache }
        guard let raw = ProcessInfo.processInfo.environment["CATALOG_PRODUCT_CACHE"]?.lowercased(), !raw.isEmpty else { return true }
        switch raw {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default:
            throw CatalogError.validation("CATALOG_PRODUCT_CACHE must be true or false.", parameter: "CATALOG_PRODUCT_CACHE", value: raw)
        }
    }
}
