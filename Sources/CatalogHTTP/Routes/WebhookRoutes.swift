import CatalogCore
import HTTPTypes
import Hummingbird

/// §Webhooks: registration, changes, secret rotation and the delivery log.
struct WebhookRoutes {
    let catalog: Catalog

    func register(on router: Router<CatalogRequestContext>) {
        router.post("/webhooks") { request, context in
            let principal = try context.requirePrincipal()
            _ = try QueryParameters(request, allowed: [])
            let body = try await JSONBody.decode(CreateWebhookBody.self, from: request, context: context)
            let (webhook, secret) = try await catalog.webhooks.create(
                .init(url: body.url, events: body.events, description: body.description, partnerName: body.partnerName), by: principal)
            return RawJSON.response(WebhookJSON.object(webhook, secret: secret), status: .created,
                                    headers: [.location: "/webhooks/\(webhook.webhookID)"])
        }
        router.get("/webhooks") { request, context in
            let principal = try context.requirePrincipal()
            let query = try QueryParameters(request, allowed: ["limit", "cursor"])
            let (page, fingerprint) = try query.page(fingerprint: ["webhooks"])
            let result = try await catalog.webhooks.list(page, by: principal)
            return RawJSON.response(Self.list(result.items.map { WebhookJSON.object($0) },
                                              next: Cursor.encode(after: result.nextAfter, fingerprint: fingerprint)))
        }
        router.get("/webhooks/:webhook_id") { request, context in
            let webhook = try await catalog.webhooks.get(try context.parameters.require("webhook_id"), by: try context.requirePrincipal())
            return RawJSON.response(WebhookJSON.object(webhook))
        }
        router.patch("/webhooks/:webhook_id") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await JSONBody.decode(UpdateWebhookBody.self, from: request, context: context)
            var changes = WebhookChanges(url: body.url, events: body.events, description: body.description)
            if let status = body.status {
                guard let parsed = WebhookStatus(rawValue: status) else {
                    throw CatalogError.validation("status must be active or disabled.", parameter: "status", value: status)
                }
                changes.status = parsed
            }
            let webhook = try await catalog.webhooks.update(try context.parameters.require("webhook_id"), changes, by: principal)
            return RawJSON.response(WebhookJSON.object(webhook))
        }
        router.delete("/webhooks/:webhook_id") { request, context in
            try await catalog.webhooks.delete(try context.parameters.require("webhook_id"), by: try context.requirePrincipal())
            return Response(status: .noContent)
        }
        router.post("/webhooks/:webhook_id/rotate-secret") { request, context in
            let (webhook, secret) = try await catalog.webhooks.rotateSecret(
                try context.parameters.require("webhook_id"), by: try context.requirePrincipal())
            return RawJSON.response(WebhookJSON.object(webhook, secret: secret))
        }
        router.get("/webhooks/:webhook_id/deliveries") { request, context in
            let principal = try context.requirePrincipal()
            let query = try QueryParameters(request, allowed: ["status", "limit", "cursor"])
            let id = try context.parameters.require("webhook_id")
            let status: DeliveryStatus? = try query.enumValue("status")
            let (page, fingerprint) = try query.page(fingerprint: ["deliveries", id, status?.rawValue])
            let result = try await catalog.webhooks.deliveries(id, status: status, page, by: principal)
            return RawJSON.response(Self.list(result.items.map(WebhookJSON.delivery),
                                              next: Cursor.encode(after: result.nextAfter, fingerprint: fingerprint)))
        }
        router.post("/webhook-deliveries/:delivery_id/retry") { request, context in
            let delivery = try await catalog.webhooks.retry(delivery: try context.parameters.require("delivery_id"), by: try context.requirePrincipal())
            catalog.events.queued.fire()
            return RawJSON.response(WebhookJSON.delivery(delivery), status: .accepted)
        }
    }

    static func list(_ items: [String], next: String?) -> String {
        var out = "{\"count\":\(items.count),\"items\":[" + items.joined(separator: ",") + "],\"next_cursor\":"
        if let next { JSONText.append(next, to: &out) } else { out += "null" }
        return out + "}"
    }
}

struct CreateWebhookBody: Decodable {
    var url: String?
    var events: [String]?
    var description: String?
    var partnerName: String?

    enum CodingKeys: String, CodingKey { case url, events, description, partnerName = "partner_name" }
}

/// `description: null` clears it; an absent field is left as it is.
struct UpdateWebhookBody: Decodable {
    var url: String?
    var events: [String]?
    var description: String??
    var status: String?

    enum CodingKeys: String, CodingKey { case url, events, description, status }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        url = try container.decodeIfPresent(String.self, forKey: .url)
        events = try container.decodeIfPresent([String].self, forKey: .events)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        if container.contains(.description) { description = .some(try container.decodeIfPresent(String.self, forKey: .description)) }
    }
}
