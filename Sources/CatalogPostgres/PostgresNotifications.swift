import Logging
import PostgresNIO

/// LISTEN/NOTIFY channels. Notifications are sent inside the transaction that causes them, so a
/// listener never hears of a job before the change is visible.
enum PostgresChannel: String, Sendable {
    /// Tasks were added to the queue.
    case taskQueued = "catalog_task_queued"
    /// A validation job finished (completed or failed); the payload is its job ID.
    case jobCompleted = "catalog_job_completed"
}

extension PostgresCatalogStore {
    static func notify(_ channel: PostgresChannel, payload: String, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query("SELECT pg_notify(\(channel.rawValue), \(payload))", logger: logger).drain()
    }
}
