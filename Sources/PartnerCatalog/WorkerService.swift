import CatalogCore
import Foundation
import Logging
import ServiceLifecycle

/// Job workers as a lifecycle service: they stop claiming on graceful shutdown.
struct WorkerService: Service {
    let workers: [JobWorker]

    init(catalog: Catalog, count: Int, settings: JobWorker.Settings, logger: Logger) {
        let host = ProcessInfo.processInfo.hostName
        let pid = ProcessInfo.processInfo.processIdentifier
        workers = (0..<count).map { index in
            JobWorker(catalog: catalog, owner: "\(host):\(pid):\(index)", settings: settings, logger: logger)
        }
    }

    func run() async throws {
        // A service that returns early stops the whole group: with no workers, wait for shutdown.
        guard !workers.isEmpty else { return try await gracefulShutdown() }
        try await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for worker in workers { group.addTask { await worker.run() } }
            }
        }
    }
}

