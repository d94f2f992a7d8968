import ArgumentParser
import CatalogCore
import CatalogCurl
import Logging
import ServiceLifecycle

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Run task workers that claim background work (validation jobs …) from the database (no HTTP).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var workerOptions: WorkerOptions

    func run() async throws {
        let settings = try store.resolve()
        var logger = Logger(label: "partner-catalog-worker")
        logger.logLevel = settings.logLevel
        let (count, autoRun) = try workerOptions.resolve()
        let runtime = try await Composition.makeRuntime(settings, autoRun: autoRun, logger: logger)
        let catalog = runtime.catalog
        guard count > 0 else { throw CatalogError.validation("A worker process needs at least one worker.", parameter: "workers") }
        try await Composition.checkSecretKey(catalog)
        logger.info("partner-catalog worker started", metadata: [
            "workers": .stringConvertible(count), "database": .string(runtime.storeDescription), "auto_run": .stringConvertible(autoRun),
        ])
        let group = ServiceGroup(
            services: [WorkerService(
                catalog: catalog, count: count, http: CurlHTTPClient(), allowPrivateTargets: settings.allowPrivateTargets, logger: logger)]
                + runtime.services,
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
