import CatalogCore
import Foundation
import Testing

/// The event log, webhook and queue-pruning ports on the store the code under test must not reach.
extension UnusedStore {
    func events(_ filter: EventFilter, afterSeq: Int64, limit: Int) async throws -> [CatalogEvent] { try fail() }
    func pruneEvents(before date: Date) async throws -> Int { try fail() }
    func pruneTasks(finishedBefore date: Date) async throws -> Int { try fail() }
    func createWebhook(_ webhook: NewWebhook) async throws -> Webhook { try fail() }
    func webhook(id: String) async throws -> Webhook? { try fail() }
    func listWebhooks(partnerName: String?, _ page: PageRequest) async throws -> Page<Webhook> { try fail() }
    func updateWebhook(id: String, _ changes: WebhookChanges) async throws -> Webhook? { try fail() }
    func deleteWebhook(id: String, at date: Date) async throws -> Bool { try fail() }
    func rotateSecret(webhookID: String, newSecret: String, previousUntil: Date) async throws -> Bool { try fail() }
    func deliveries(webhookID: String, status: DeliveryStatus?, _ page: PageRequest) async throws -> Page<WebhookDelivery> { try fail() }
    func delivery(id: String) async throws -> WebhookDelivery? { try fail() }
    func deliveryContext(id: String) async throws -> DeliveryContext? { try fail() }
    func recordAttempt(deliveryID: String, lease: TaskLease, _ attempt: DeliveryAttempt, now: Date) async throws -> Bool { try fail() }
    func retryDelivery(id: String, at date: Date) async throws -> WebhookDelivery? { try fail() }
}
