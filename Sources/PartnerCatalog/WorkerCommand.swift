import ArgumentParser
import CatalogApp
import CatalogCore
import ServiceLifecycle

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Run task workers that claim background work (validation jobs …) from the database (no HTTP).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var workerOptions: WorkerOptions

    func run() async throws {
        let builder = try store.builder([workerOptions], label: "partner-catalog-worker")
        guard builder.configuration.workers > 0 else {
            throw CatalogError.validation("A worker process needs at least one worker.", parameter: "CATALOG_WORKERS")
        }
        let built = try await builder.worker()
        builder.logger.info("partner-catalog worker started", metadata: [
            "workers": .stringConvertible(builder.configuration.workers), "database": .string(built.storeDescription),
            "auto_run": .stringConvertible(builder.configuration.autoRun),
        ])
        let group = ServiceGroup(
            services: [builder.workers(for: built.catalog)] + built.services, gracefulShutdownSignals: [.sigterm, .sigint],
            logger: builder.logger)
        try await group.run()
    }
}
