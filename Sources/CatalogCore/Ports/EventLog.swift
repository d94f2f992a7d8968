import struct Foundation.Date

/// The event log (§Events). Events are written by the stores in the transaction of their change, which
/// also queues one `webhook.deliver` task per webhook that wants the event.
public protocol EventLog: Sendable {
    /// Oldest first, after the event with sequence number `afterSeq`.
    func events(_ filter: EventFilter, afterSeq: Int64, limit: Int) async throws -> [CatalogEvent]

    /// The newest event's sequence number; 0 for an empty log.
    func latestEventSeq() async throws -> Int64

    /// Deletes the events created before `date` (they are kept at least 30 days); returns how many.
    func pruneEvents(before date: Date) async throws -> Int
}

/// Webhooks and their deliveries (§Webhooks).
public protocol WebhookRepository: Sendable {
    func createWebhook(_ webhook: NewWebhook) async throws -> Webhook
    func webhook(id: String) async throws -> Webhook?
    /// Newest first; only `partnerName`'s when given.
    func listWebhooks(partnerName: String?, _ page: PageRequest) async throws -> Page<Webhook>
    func updateWebhook(id: String, _ changes: WebhookChanges) async throws -> Webhook?
    /// Its pending deliveries fail; nothing else is deleted.
    func deleteWebhook(id: String, at date: Date) async throws -> Bool
    /// Replaces the secret; the old one keeps signing until `previousUntil`.
    func rotateSecret(webhookID: String, newSecret: String, previousUntil: Date) async throws -> Bool

    func deliveries(webhookID: String, status: DeliveryStatus?, _ page: PageRequest) async throws -> Page<WebhookDelivery>
    func delivery(id: String) async throws -> WebhookDelivery?
    func deliveryContext(id: String) async throws -> DeliveryContext?
    /// Records an attempt of the delivery whose task `lease` holds, ending or rescheduling the task in the
    /// same transaction; false when the lease is no longer held.
    func recordAttempt(deliveryID: String, lease: TaskLease, _ attempt: DeliveryAttempt, now: Date) async throws -> Bool
    /// `POST /webhook-deliveries/{id}/retry`: the delivery is pending and tried again now, by a new task.
    func retryDelivery(id: String, at date: Date) async throws -> WebhookDelivery?
}
