import ArgumentParser
import CatalogApp
import CatalogCore
import CatalogHTTP
import CoreMetrics
import Foundation
import Hummingbird
import Logging
import Prometheus

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP API.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var workerOptions: WorkerOptions
    @OptionGroup var serveOptions: ServeOptions

    func run() async throws {
        var builder = try store.builder([workerOptions, serveOptions])
        let logger = builder.logger
        let files = FileLimit.raiseToHard()
        let configuredConnections = builder.configuration.limits.maxConnections
        builder.configuration.limits.maxConnections = FileLimit.connectionCap(configured: configuredConnections, soft: files.soft)
        let settings = builder.configuration
        logger.log(level: settings.limits.maxConnections < configuredConnections ? .warning : .info, "open file limit", metadata: [
            "soft": .stringConvertible(files.soft), "hard": .stringConvertible(files.hard),
            "max_connections": .stringConvertible(settings.limits.maxConnections),
            "configured_max_connections": .stringConvertible(configuredConnections),
        ])
        try? FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        SpoolCleanup.removeLeftovers(in: settings.spoolDirectory)

        let node = try await builder.node()
        switch node.adminKey {
        case .generated(let secret):
            // Written unbuffered so the key shows at once even when stdout is a file or a pipe.
            FileHandle.standardOutput.write(Data("""
                No API key existed, so an admin key was created. It is shown this once; keep it:

                    \(secret)


                """.utf8))
        case .registeredConfiguredKey:
            logger.info("registered CATALOG_ADMIN_KEY as an admin key")
        case .none:
            break
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let app = CatalogHTTP.application(
            catalog: node.catalog, spoolDirectory: settings.spoolDirectory, registry: registry, host: settings.host, port: settings.port,
            limits: settings.limits, services: [builder.workers(for: node.catalog)] + node.services(logger: logger), logger: logger)
        logger.info("partner-catalog listening", metadata: [
            "address": "http://\(settings.host):\(settings.port)", "database": .string(node.built.storeDescription),
            "workers": .stringConvertible(settings.workers), "auto_run": .stringConvertible(settings.autoRun),
        ])
        try await app.runService()
    }
}
