import Foundation

extension TaskKind {
    /// One attempt series of one webhook delivery.
    public static let deliverWebhook: TaskKind = "webhook.deliver"
    /// Deletes what is kept only for a while (events after 30 days), then queues its next run.
    public static let prune: TaskKind = "maintenance.prune"
}

/// Webhook deliveries as tasks of the one queue.
public enum WebhookTasks {
    struct Payload: Codable {
        var delivery_id: String
    }

    /// The `run`-th series of attempts of a delivery (1, then one more per manual retry).
    public static func task(deliveryID: String, run: Int, at date: Date) -> NewTask {
        let payload = String(decoding: try! JSONEncoder().encode(Payload(delivery_id: deliveryID)), as: UTF8.self)
        return NewTask(kind: .deliverWebhook, payload: payload, runAt: date, uniqueKey: "\(deliveryID)#\(run)")
    }

    public static func deliveryID(of task: ClaimedTask) throws -> String {
        do {
            return try JSONDecoder().decode(Payload.self, from: Data(task.payload.utf8)).delivery_id
        } catch {
            throw TaskFailure.permanent("INTERNAL", "The task's payload names no delivery.")
        }
    }

    /// The events a webhook may subscribe to, as stored: `,type,type,` so that one LIKE finds them.
    public static func storedEvents(_ events: [String]) -> String { "," + events.joined(separator: ",") + "," }

    public static func events(stored: String) -> [String] { stored.split(separator: ",").map(String.init) }
}
