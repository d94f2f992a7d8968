import CatalogCore
import Logging
import PostgresNIO

/// Turns PostgreSQL notifications into local wake-ups, so idle workers start a queued job at once
/// and waiters hear of finished jobs from any process. Reconnects after outages; after each
/// (re)connect it wakes everyone once, to cover notifications missed while disconnected.
public struct PostgresJobListener: Sendable {
    let store: PostgresCatalogStore
    let events: JobEvents
    let logger: Logger

    public init(store: PostgresCatalogStore, events: JobEvents, logger: Logger) {
        self.store = store
        self.events = events
        self.logger = logger
    }

    public func run() async {
        var delay: Duration = .milliseconds(250)
        while !Task.isCancelled {
            do {
                try await store.client.withConnection { connection in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for (channel, signal) in [(PostgresChannel.taskQueued, events.queued), (.jobCompleted, events.finished)] {
                            group.addTask {
                                let notifications = try await connection.listen(channel.rawValue)
                                signal.fire()
                                for try await _ in notifications { signal.fire() }
                            }
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                }
                delay = .milliseconds(250)
            } catch {
                if Task.isCancelled { return }
                logger.warning("job notifications interrupted; reconnecting", metadata: ["error": .string("\(error)")])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }
}
