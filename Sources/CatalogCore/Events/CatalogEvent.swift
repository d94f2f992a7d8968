import struct Foundation.Date

/// The state changes clients react to (§Events).
public enum EventType: String, Sendable, Codable, CaseIterable {
    case feedUploaded = "feed.uploaded"
    case jobCompleted = "job.completed"
    case jobFailed = "job.failed"
    case orderCreated = "order.created"
    case sourceFetched = "source.fetched"
    case sourceFailed = "source.failed"
    case sourcePaused = "source.paused"
    case webhookDisabled = "webhook.disabled"
}

/// An event to record in the transaction of the change it tells of (an outbox: no change without
/// its event, no event without its change).
public struct NewEvent: Sendable, Equatable {
    public var type: EventType
    public var partnerName: String?
    /// The object as its own endpoint returns it, as JSON.
    public var data: String
    public var createdAt: Date

    public init(type: EventType, partnerName: String?, data: String, createdAt: Date) {
        self.type = type
        self.partnerName = partnerName
        self.data = data
        self.createdAt = createdAt
    }

    public static func feedUploaded(_ feed: Feed) -> NewEvent {
        NewEvent(type: .feedUploaded, partnerName: feed.partnerName, data: CatalogJSON.text(FeedJSON(feed)), createdAt: feed.uploadedAt)
    }

    /// `job.completed` or `job.failed`, from the job as it now is.
    public static func jobFinished(_ job: Job, at date: Date) -> NewEvent {
        NewEvent(type: job.status == .failed ? .jobFailed : .jobCompleted, partnerName: job.partnerName,
                 data: CatalogJSON.text(JobJSON(job)), createdAt: date)
    }

    public static func orderCreated(_ order: Order) -> NewEvent {
        NewEvent(type: .orderCreated, partnerName: order.partnerName, data: OrderJSON.object(order), createdAt: order.createdAt)
    }
}

/// An event as `/events` and webhooks show it: `{"event_id", "type", "created_at", "partner_name", "data"}`.
public struct CatalogEvent: Sendable, Equatable {
    public var seq: Int64
    public var eventID: String
    public var type: EventType
    public var partnerName: String?
    public var data: String
    public var createdAt: Date

    public init(seq: Int64, eventID: String, type: EventType, partnerName: String?, data: String, createdAt: Date) {
        self.seq = seq
        self.eventID = eventID
        self.type = type
        self.partnerName = partnerName
        self.data = data
        self.createdAt = createdAt
    }

    /// The event object as JSON: the body of a webhook delivery and an item of `/events`.
    public var json: String {
        var writer = JSONObjectWriter()
        writer.string("created_at", Timestamp.format(createdAt))
        writer.raw("data", data)
        writer.string("event_id", eventID)
        writer.string("partner_name", partnerName)
        writer.string("type", type.rawValue)
        return writer.json
    }
}

public struct EventFilter: Sendable, Equatable {
    public var type: EventType?
    public var partnerName: String?

    public init(type: EventType? = nil, partnerName: String? = nil) {
        self.type = type
        self.partnerName = partnerName
    }
}

extension NewEvent {
    /// `data`: the webhook object with the reason it was disabled.
    public static func webhookDisabled(_ webhook: Webhook, reason: String, at date: Date) -> NewEvent {
        var writer = WebhookJSON.writer(webhook)
        writer.string("disabled_reason", reason)
        return NewEvent(type: .webhookDisabled, partnerName: webhook.partnerName, data: writer.json, createdAt: date)
    }
}
