import struct Foundation.Date

public enum WebhookStatus: String, Sendable, Codable, CaseIterable {
    case active
    case disabled
}

/// A partner's or an admin's subscription to events (§Webhooks). Its secret is never part of it.
public struct Webhook: Sendable, Equatable {
    public var webhookID: String
    public var url: String
    /// Event types, or `["*"]` for every type.
    public var events: [String]
    public var description: String?
    /// nil: an admin's webhook for every partner's events.
    public var partnerName: String?
    public var status: WebhookStatus
    public var createdAt: Date
    /// Since when every delivery has failed (nil after a success).
    public var failingSince: Date?

    public init(
        webhookID: String, url: String, events: [String], description: String?, partnerName: String?, status: WebhookStatus,
        createdAt: Date, failingSince: Date?
    ) {
        self.webhookID = webhookID
        self.url = url
        self.events = events
        self.description = description
        self.partnerName = partnerName
        self.status = status
        self.createdAt = createdAt
        self.failingSince = failingSince
    }

    public func wants(_ event: EventType, partnerName eventPartner: String?) -> Bool {
        (events.contains("*") || events.contains(event.rawValue)) && (partnerName == nil || partnerName == eventPartner)
    }
}

/// The signing secrets of a webhook: the current one, and after a rotation the previous one for 24 h.
public struct WebhookSecrets: Sendable, Equatable {
    public var current: String
    public var previous: String?
    public var previousUntil: Date?

    public init(current: String, previous: String? = nil, previousUntil: Date? = nil) {
        self.current = current
        self.previous = previous
        self.previousUntil = previousUntil
    }

    /// The secrets that sign a delivery made at `date`.
    public func signing(at date: Date) -> [String] {
        guard let previous, let until = previousUntil, date < until else { return [current] }
        return [current, previous]
    }
}

public enum DeliveryStatus: String, Sendable, Codable, CaseIterable {
    case pending
    case succeeded
    case failed
}

public struct WebhookDelivery: Sendable, Equatable {
    public var deliveryID: String
    public var webhookID: String
    public var eventID: String
    public var status: DeliveryStatus
    public var attempts: Int
    public var lastStatusCode: Int?
    public var lastError: String?
    public var nextAttemptAt: Date?
    public var createdAt: Date
    public var deliveredAt: Date?

    public init(
        deliveryID: String, webhookID: String, eventID: String, status: DeliveryStatus, attempts: Int, lastStatusCode: Int?,
        lastError: String?, nextAttemptAt: Date?, createdAt: Date, deliveredAt: Date?
    ) {
        self.deliveryID = deliveryID
        self.webhookID = webhookID
        self.eventID = eventID
        self.status = status
        self.attempts = attempts
        self.lastStatusCode = lastStatusCode
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}

public struct NewWebhook: Sendable, Equatable {
    public var url: String
    public var events: [String]
    public var description: String?
    public var partnerName: String?
    public var secret: String
    public var createdAt: Date

    public init(url: String, events: [String], description: String?, partnerName: String?, secret: String, createdAt: Date) {
        self.url = url
        self.events = events
        self.description = description
        self.partnerName = partnerName
        self.secret = secret
        self.createdAt = createdAt
    }
}

public struct WebhookChanges: Sendable, Equatable {
    public var url: String?
    public var events: [String]?
    /// `.some(nil)` clears it.
    public var description: String??
    public var status: WebhookStatus?

    public init(url: String? = nil, events: [String]? = nil, description: String?? = nil, status: WebhookStatus? = nil) {
        self.url = url
        self.events = events
        self.description = description
        self.status = status
    }
}

/// What one attempt of a delivery found.
public struct DeliveryAttempt: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case succeeded
        /// Tried again at `at`.
        case retry(at: Date)
        case failed
    }

    public var outcome: Outcome
    public var statusCode: Int?
    public var error: String?
    /// Disable the webhook, recording `webhook.disabled` (a 410, or 3 days of failures), with the reason.
    public var disableWebhook: String?

    public init(outcome: Outcome, statusCode: Int?, error: String?, disableWebhook: String? = nil) {
        self.outcome = outcome
        self.statusCode = statusCode
        self.error = error
        self.disableWebhook = disableWebhook
    }
}

/// A delivery with what its attempt needs.
public struct DeliveryContext: Sendable, Equatable {
    public var delivery: WebhookDelivery
    public var webhook: Webhook
    public var secrets: WebhookSecrets
    public var event: CatalogEvent

    public init(delivery: WebhookDelivery, webhook: Webhook, secrets: WebhookSecrets, event: CatalogEvent) {
        self.delivery = delivery
        self.webhook = webhook
        self.secrets = secrets
        self.event = event
    }
}
