import CatalogCore
import Foundation
import Logging
import ServiceLifecycle

/// The task workers of a process as a lifecycle service, with a concurrency limit per kind: `count`
/// workers for validation jobs (CATALOG_WORKERS) and, when there are any, 8 for webhook deliveries
/// (each mostly waits on its receiver: 8 deliver a backlog at about 540/s on 2 cores, 4 did about 430/s),
/// 2 for source fetches and 1 for periodic maintenance. New tasks wake them all; when idle, the first of
/// each kind polls every `pollInterval` and the others ten times less often (a process's idle workers
/// would otherwise query the queue 30 times a second), and work found by polling wakes the rest. On
/// graceful shutdown they stop claiming and hand running tasks back.
public struct WorkerService: Service {
    static let webhookWorkers = 8
    static let sourceWorkers = 2
    /// Threads for outbound transfers: one for each worker that makes them.
    static let outboundThreads = webhookWorkers + sourceWorkers
    let workers: [TaskWorker]
    let queue: any TaskQueue
    let clock: any CatalogClock

    public init(catalog: Catalog, count: Int, http: any OutboundHTTP, allowPrivateTargets: Bool, settings: TaskWorker.Settings = TaskWorker.Settings(),
         logger: Logger) {
        let host = ProcessInfo.processInfo.hostName
        let pid = ProcessInfo.processInfo.processIdentifier
        let validation: [any TaskHandler] = [FeedValidationHandler(catalog: catalog, logger: logger)]
        let deliveries: [any TaskHandler] = [WebhookDeliveryHandler(
            store: catalog.store, http: http, clock: catalog.clock, allowPrivateTargets: allowPrivateTargets, logger: logger)]
        let maintenance: [any TaskHandler] = [PruneHandler(store: catalog.store, clock: catalog.clock, logger: logger)]
        let fetcher = SourceFetcher(
            uploads: catalog.uploads, http: http, secrets: catalog.secretBox, pacer: HostPacer(), allowPrivateTargets: allowPrivateTargets,
            logger: logger)
        let fetches: [any TaskHandler] = [SourceFetchHandler(
            store: catalog.store, fetcher: fetcher, clock: catalog.clock, events: catalog.events, logger: logger)]
        let groups: [(name: String, handlers: [any TaskHandler], count: Int)] = count == 0 ? [] : [
            ("etl", validation, count), ("webhooks", deliveries, Self.webhookWorkers), ("sources", fetches, Self.sourceWorkers), ("maintenance", maintenance, 1),
        ]
        workers = groups.flatMap { group in
            (0..<group.count).map { index in
                TaskWorker(
                    queue: catalog.store, handlers: group.handlers, clock: catalog.clock, owner: "\(host):\(pid):\(group.name)\(index)",
                    settings: index == 0 ? settings : settings.polling(every: settings.pollInterval * 10), wake: catalog.events.queued,
                    logger: logger)
            }
        }
        queue = catalog.store
        clock = catalog.clock
    }

    public func run() async throws {
        // A service that returns early stops the whole group: with no workers, wait for shutdown.
        guard !workers.isEmpty else { return try await gracefulShutdown() }
        // Periodic work starts itself here (once among all nodes: the task's unique key), then re-queues itself.
        _ = try? await queue.enqueue([PruneHandler.next(after: clock.now())])
        try await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for worker in workers { group.addTask { await worker.run() } }
            }
        }
    }
}
