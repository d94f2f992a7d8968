import ArgumentParser
import CatalogCore
import CatalogCurl
import CatalogFileStore
import CatalogHTTP
import Foundation
import Hummingbird
import Logging
import CoreMetrics
import Prometheus

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP API.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var workerOptions: WorkerOptions

    @Option(help: "Listen address. [env: CATALOG_HOST, default: 127.0.0.1]")
    var host: String?

    @Option(help: "Listen port. [env: CATALOG_PORT, default: 8080]")
    var port: Int?

    @Option(help: "Registered as an admin key at start. [env: CATALOG_ADMIN_KEY]")
    var adminKey: String?


    @OptionGroup var limitOptions: ServerLimitOptions

    func run() async throws {
        let settings = try store.resolve()
        let environment = ProcessInfo.processInfo.environment
        let host = host ?? environment["CATALOG_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        let port = try port ?? Self.port(environment["CATALOG_PORT"])
        var logger = Logger(label: "partner-catalog")
        logger.logLevel = settings.logLevel
        var limits = try limitOptions.resolve()
        let files = FileLimit.raiseToHard()
        let configuredConnections = limits.maxConnections
        limits.maxConnections = FileLimit.connectionCap(configured: configuredConnections, soft: files.soft)
        logger.log(level: limits.maxConnections < configuredConnections ? .warning : .info, "open file limit", metadata: [
            "soft": .stringConvertible(files.soft), "hard": .stringConvertible(files.hard),
            "max_connections": .stringConvertible(limits.maxConnections),
            "configured_max_connections": .stringConvertible(configuredConnections),
        ])
        try? FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        SpoolCleanup.removeLeftovers(in: settings.spoolDirectory)

        let (workerCount, autoRun) = try workerOptions.resolve()
        var runtime = try await Composition.makeRuntime(settings, autoRun: autoRun, logger: logger)
        runtime = try await Composition.withReadModel(runtime, settings, logger: logger)
        // Keys are checked from memory; the table is loaded before the node listens and follows every change.
        let keyTable = KeyTable()
        try await keyTable.refresh(from: runtime.catalog.store, force: true)
        let catalog = runtime.catalog.checkingDisk(LocalDiskSpace(path: settings.dataDirectory)).keepingKeysInMemory(keyTable)
        try await Composition.checkObjectStore(catalog.objects)
        try await Composition.checkSecretKey(catalog)
        try await catalog.interruptedUploads.recover(logger: logger)
        switch try await catalog.keys.bootstrapAdmin(configuredKey: adminKey ?? environment["CATALOG_ADMIN_KEY"]) {
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
        let workers = WorkerService(
            catalog: catalog, count: workerCount, http: CurlHTTPClient(), allowPrivateTargets: settings.allowPrivateTargets, logger: logger)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let app = CatalogHTTP.application(
            catalog: catalog, spoolDirectory: settings.spoolDirectory, registry: registry, host: host, port: port, limits: limits,
            services: [workers, KeyTableService(table: keyTable, store: catalog.store, logger: logger)] + runtime.services, logger: logger)
        logger.info("partner-catalog listening", metadata: [
            "address": "http://\(host):\(port)", "database": .string(runtime.storeDescription),
            "workers": .stringConvertible(workerCount), "auto_run": .stringConvertible(autoRun),
        ])
        try await app.runService()
    }

    private static func port(_ raw: String?) throws -> Int {
        guard let raw, !raw.isEmpty else { return 8080 }
        guard let port = Int(raw), (0...65535).contains(port) else {
            throw CatalogError.validation("CATALOG_PORT must be a port number.", parameter: "CATALOG_PORT", value: raw)
        }
        return port
    }
}
