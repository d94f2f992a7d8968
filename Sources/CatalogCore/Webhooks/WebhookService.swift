import Foundation

/// §Webhooks: registering, changing and rotating webhooks, and their delivery log. An admin's webhook
/// without `partner_name` receives every partner's events; with one, or made with a partner key, only
/// that partner's.
public struct WebhookService: Sendable {
    let store: any WebhookRepository & PartnerRepository
    let clock: any CatalogClock
    let targets: any TargetPolicy
    public static let rotationGrace: TimeInterval = 24 * 3600
    public static let maxEvents = 20

    public init(store: any WebhookRepository & PartnerRepository, clock: any CatalogClock, targets: any TargetPolicy) {
        self.store = store
        self.clock = clock
        self.targets = targets
    }

    public struct Registration: Sendable {
        public var url: String?
        public var events: [String]?
        public var description: String?
        public var partnerName: String?

        public init(url: String?, events: [String]?, description: String?, partnerName: String?) {
            self.url = url
            self.events = events
            self.description = description
            self.partnerName = partnerName
        }
    }

    /// The new webhook and its secret, shown this once.
    public func create(_ registration: Registration, by principal: Principal) async throws -> (Webhook, String) {
        try principal.require(.admin, .partner)
        let url = try await validURL(registration.url)
        let events = try Self.validEvents(registration.events)
        let description = try Self.validDescription(registration.description)
        var partnerName: String?
        if principal.role == .partner {
            guard let own = principal.partner?.partnerName else { throw CatalogError.forbidden("This key is not bound to a partner.") }
            if let asked = registration.partnerName, asked != own {
                throw CatalogError.forbidden("This key may register webhooks for partner '\(own)' only.")
            }
            partnerName = own
        } else if let asked = registration.partnerName, !asked.isEmpty {
            guard try await store.partner(name: asked) != nil else {
                throw CatalogError.validation("There is no partner named '\(asked)'.", parameter: "partner_name", value: asked)
            }
            partnerName = asked
        }
        let secret = WebhookSignature.newSecret()
        let webhook = try await store.createWebhook(NewWebhook(
            url: url, events: events, description: description, partnerName: partnerName, secret: secret, createdAt: clock.now()))
        return (webhook, secret)
    }

    public func get(_ id: String, by principal: Principal) async throws -> Webhook {
        try principal.require(.admin, .partner)
        guard IDKind.webhook.number(of: id) != nil, let webhook = try await store.webhook(id: id), Self.owns(webhook, principal) else {
            throw CatalogError.notFound("Webhook", id)
        }
        return webhook
    }

    public func list(_ page: PageRequest, by principal: Principal) async throws -> Page<Webhook> {
        try principal.require(.admin, .partner)
        if principal.role == .partner {
            guard let own = principal.partner?.partnerName else { return Page(items: [], nextAfter: nil) }
            return try await store.listWebhooks(partnerName: own, page)
        }
        return try await store.listWebhooks(partnerName: nil, page)
    }

    public func update(_ id: String, _ changes: WebhookChanges, by principal: Principal) async throws -> Webhook {
        _ = try await get(id, by: principal)
        var checked = changes
        if let url = changes.url { checked.url = try await validURL(url) }
        if let events = changes.events { checked.events = try Self.validEvents(events) }
        if let description = changes.description { checked.description = .some(try Self.validDescription(description)) }
        guard let webhook = try await store.updateWebhook(id: id, checked) else { throw CatalogError.notFound("Webhook", id) }
        return webhook
    }

    public func delete(_ id: String, by principal: Principal) async throws {
        _ = try await get(id, by: principal)
        guard try await store.deleteWebhook(id: id, at: clock.now()) else { throw CatalogError.notFound("Webhook", id) }
    }

    /// A new secret, shown this once; deliveries carry a signature with the old one too for 24 h.
    public func rotateSecret(_ id: String, by principal: Principal) async throws -> (Webhook, String) {
        let webhook = try await get(id, by: principal)
        let secret = WebhookSignature.newSecret()
        guard try await store.rotateSecret(webhookID: id, newSecret: secret, previousUntil: clock.now().addingTimeInterval(Self.rotationGrace))
        else { throw CatalogError.notFound("Webhook", id) }
        return (webhook, secret)
    }

    public func deliveries(_ id: String, status: DeliveryStatus?, _ page: PageRequest, by principal: Principal) async throws -> Page<WebhookDelivery> {
        _ = try await get(id, by: principal)
        return try await store.deliveries(webhookID: id, status: status, page)
    }

    public func retry(delivery id: String, by principal: Principal) async throws -> WebhookDelivery {
        try principal.require(.admin, .partner)
        guard IDKind.webhookDelivery.number(of: id) != nil, let delivery = try await store.delivery(id: id) else {
            throw CatalogError.notFound("Delivery", id)
        }
        _ = try await get(delivery.webhookID, by: principal).webhookID  // 404 for someone else's
        guard let retried = try await store.retryDelivery(id: id, at: clock.now()) else { throw CatalogError.notFound("Delivery", id) }
        return retried
    }

    static func owns(_ webhook: Webhook, _ principal: Principal) -> Bool {
        principal.role == .admin || (principal.role == .partner && webhook.partnerName != nil && webhook.partnerName == principal.partner?.partnerName)
    }

    func validURL(_ raw: String?) async throws -> String {
        guard let raw, !raw.isEmpty else { throw CatalogError.validation("url is required.", parameter: "url") }
        guard raw.utf8.count <= 2048, let components = URLComponents(string: raw), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty, components.user == nil
        else {
            throw CatalogError.validation("url must be an http(s) URL with a host (and no credentials).", parameter: "url", value: String(raw.prefix(200)))
        }
        try await targets.check(host: host)
        return raw
    }

    static func validEvents(_ events: [String]?) throws -> [String] {
        guard let events, !events.isEmpty else {
            throw CatalogError.validation("events must list event types, or [\"*\"] for all.", parameter: "events")
        }
        guard events.count <= maxEvents else { throw CatalogError.validation("events lists too many types.", parameter: "events") }
        let known = Set(EventType.allCases.map(\.rawValue) + ["*"])
        if let unknown = events.first(where: { !known.contains($0) }) {
            throw CatalogError.validation(
                "Unknown event type '\(unknown)'. Known: \(EventType.allCases.map(\.rawValue).joined(separator: ", ")), or *.",
                parameter: "events", value: String(unknown.prefix(100)))
        }
        var unique: [String] = []
        for event in events where !unique.contains(event) { unique.append(event) }
        return unique
    }

    static func validDescription(_ description: String?) throws -> String? {
        guard let description else { return nil }
        guard description.count <= 500 else { throw CatalogError.validation("description is at most 500 characters.", parameter: "description") }
        return description
    }
}
