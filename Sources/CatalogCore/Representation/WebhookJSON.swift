/// The webhook and delivery objects of §Webhooks.
public enum WebhookJSON {
    public static func writer(_ webhook: Webhook) -> JSONObjectWriter {
        var writer = JSONObjectWriter()
        writer.timestamp("created_at", webhook.createdAt)
        writer.string("description", webhook.description)
        writer.raw("events", JSONText.array(webhook.events))
        writer.string("partner_name", webhook.partnerName)
        writer.string("status", webhook.status.rawValue)
        writer.string("url", webhook.url)
        writer.string("webhook_id", webhook.webhookID)
        return writer
    }

    public static func object(_ webhook: Webhook, secret: String? = nil) -> String {
        var writer = writer(webhook)
        if let secret { writer.string("secret", secret) }
        return writer.json
    }

    public static func delivery(_ delivery: WebhookDelivery) -> String {
        var writer = JSONObjectWriter()
        writer.integer("attempts", Int64(delivery.attempts))
        writer.timestamp("created_at", delivery.createdAt)
        writer.timestamp("delivered_at", delivery.deliveredAt)
        writer.string("delivery_id", delivery.deliveryID)
        writer.string("event_id", delivery.eventID)
        writer.string("last_error", delivery.lastError)
        writer.integer("last_status_code", delivery.lastStatusCode.map(Int64.init))
        writer.timestamp("next_attempt_at", delivery.nextAttemptAt)
        writer.string("status", delivery.status.rawValue)
        writer.string("webhook_id", delivery.webhookID)
        return writer.json
    }
}
