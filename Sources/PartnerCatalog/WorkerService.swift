import CatalogCore
import Foundation
import Logging
import ServiceLifecycle

/// The task workers of a process as a lifecycle service: `count` workers claim tasks of every kind
/// this process handles; on graceful shutdown they stop claiming and hand running tasks back.
struct WorkerService: Service {
    let workers: [TaskWorker]

    init(catalog: Catalog, count: Int, settings: TaskWorker.Settings = TaskWorker.Settings(), logger: Logger) {
        let host = ProcessInfo.processInfo.hostName
        let pid = ProcessInfo.processInfo.processIdentifier
        let handlers = Self.handlers(catalog, logger: logger)
        workers = (0..<count).map { index in
            TaskWorker(
                queue: catalog.store, handlers: handlers, clock: catalog.clock, owner: "\(host):\(pid):\(index)", settings: settings,
                wake: catalog.events.queued, logger: logger)
        }
    }

    /// Every kind of background work, each with its handler.
    static func handlers(_ catalog: Catalog, logger: Logger) -> [any TaskHandler] {
        [FeedValidationHandler(catalog: catalog, logger: logger)]
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
