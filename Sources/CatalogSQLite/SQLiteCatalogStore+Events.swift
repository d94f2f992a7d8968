import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: EventLog {
    public func latestEventSeq() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM events") ?? 0 }
    }

    public func events(_ filter: EventFilter, afterSeq: Int64, limit: Int) async throws -> [CatalogEvent] {
        try await read { db in
            var conditions = ["seq > ?"]
            var arguments: [(any DatabaseValueConvertible)?] = [afterSeq]
            if let type = filter.type {
                conditions.append("type = ?")
                arguments.append(type.rawValue)
            }
            if let partnerName = filter.partnerName {
                conditions.append("partner_name = ?")
                arguments.append(partnerName)
            }
            arguments.append(limit)
            return try Row.fetchAll(db, sql: """
                SELECT * FROM events WHERE \(conditions.joined(separator: " AND ")) ORDER BY seq LIMIT ?
                """, arguments: StatementArguments(arguments)).map(Self.event(from:))
        }
    }

    public func pruneEvents(before date: Date) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM events WHERE created_at < ?", arguments: [date])
            return db.changesCount
        }
    }

    /// Records `event` inside the caller's transaction, with a delivery and its task for every active
    /// webhook that wants it.
    static func record(_ event: NewEvent, _ db: Database) throws {
        let eventID = try allocate(.event, db)
        try db.execute(sql: """
            INSERT INTO events (seq, event_id, type, partner_name, data, created_at) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [IDKind.event.number(of: eventID), eventID, event.type.rawValue, event.partnerName, event.data, event.createdAt])
        let webhooks = try String.fetchAll(db, sql: """
            SELECT webhook_id FROM webhooks
            WHERE status = 'active' AND deleted_at IS NULL AND (partner_name IS NULL OR partner_name = ?)
              AND (events LIKE '%,*,%' OR events LIKE ?)
            ORDER BY seq
            """, arguments: [event.partnerName, "%,\(event.type.rawValue),%"])
        for webhookID in webhooks {
            let deliveryID = try allocate(.webhookDelivery, db)
            try db.execute(sql: """
                INSERT INTO webhook_deliveries (seq, delivery_id, webhook_id, event_id, status, next_attempt_at, created_at)
                VALUES (?, ?, ?, ?, 'pending', ?, ?)
                """, arguments: [IDKind.webhookDelivery.number(of: deliveryID), deliveryID, webhookID, eventID, event.createdAt, event.createdAt])
            _ = try insert([WebhookTasks.task(deliveryID: deliveryID, run: 1, at: event.createdAt)], db)
        }
    }

    static func event(from row: Row) -> CatalogEvent {
        CatalogEvent(
            seq: row["seq"], eventID: row["event_id"], type: EventType(rawValue: row["type"]) ?? .jobCompleted,
            partnerName: row["partner_name"], data: row["data"], createdAt: row["created_at"])
    }
}

extension SQLiteCatalogStore: WebhookRepository {
    public func createWebhook(_ new: NewWebhook) async throws -> Webhook {
        try await write { db in
            let webhookID = try Self.allocate(.webhook, db)
            try db.execute(sql: """
                INSERT INTO webhooks (seq, webhook_id, url, events, description, partner_name, status, secret, created_at)
                VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)
                """, arguments: [
                    IDKind.webhook.number(of: webhookID), webhookID, new.url, WebhookTasks.storedEvents(new.events), new.description,
                    new.partnerName, new.secret, new.createdAt,
                ])
            return try Self.webhook(id: webhookID, db)!
        }
    }

    public func webhook(id: String) async throws -> Webhook? {
        try await read { db in try Self.webhook(id: id, db) }
    }

    public func listWebhooks(partnerName: String?, _ page: PageRequest) async throws -> Page<Webhook> {
        try await read { db in
            let rows = if let partnerName {
                try Row.fetchAll(db, sql: """
                    SELECT * FROM webhooks WHERE deleted_at IS NULL AND partner_name = ? AND seq < ? ORDER BY seq DESC LIMIT ?
                    """, arguments: [partnerName, page.after ?? Int64.max, page.limit + 1])
            } else {
                try Row.fetchAll(db, sql: """
                    SELECT * FROM webhooks WHERE deleted_at IS NULL AND seq < ? ORDER BY seq DESC LIMIT ?
                    """, arguments: [page.after ?? Int64.max, page.limit + 1])
            }
            return Self.page(rows, limit: page.limit, map: Self.webhook(from:))
        }
    }

    public func updateWebhook(id: String, _ changes: WebhookChanges) async throws -> Webhook? {
        try await write { db in
            guard try Self.webhook(id: id, db) != nil else { return nil }
            if let url = changes.url { try db.execute(sql: "UPDATE webhooks SET url = ? WHERE webhook_id = ?", arguments: [url, id]) }
            if let events = changes.events {
                try db.execute(sql: "UPDATE webhooks SET events = ? WHERE webhook_id = ?", arguments: [WebhookTasks.storedEvents(events), id])
            }
            if let description = changes.description {
                try db.execute(sql: "UPDATE webhooks SET description = ? WHERE webhook_id = ?", arguments: [description, id])
            }
            if let status = changes.status {
                // Enabled again: its failures so far no longer count towards the 3 days.
                try db.execute(sql: "UPDATE webhooks SET status = ?, failing_since = NULL WHERE webhook_id = ?", arguments: [status.rawValue, id])
            }
            return try Self.webhook(id: id, db)
        }
    }

    public func deleteWebhook(id: String, at date: Date) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE webhooks SET deleted_at = ?, status = 'disabled' WHERE webhook_id = ? AND deleted_at IS NULL",
                           arguments: [date, id])
            return db.changesCount > 0
        }
    }

    public func rotateSecret(webhookID: String, newSecret: String, previousUntil: Date) async throws -> Bool {
        try await write { db in
            try db.execute(sql: """
                UPDATE webhooks SET previous_secret = secret, previous_secret_until = ?, secret = ?
                WHERE webhook_id = ? AND deleted_at IS NULL
                """, arguments: [previousUntil, newSecret, webhookID])
            return db.changesCount > 0
        }
    }

    public func deliveries(webhookID: String, status: DeliveryStatus?, _ page: PageRequest) async throws -> Page<WebhookDelivery> {
        try await read { db in
            var sql = "SELECT * FROM webhook_deliveries WHERE webhook_id = ? AND seq < ?"
            var arguments: [(any DatabaseValueConvertible)?] = [webhookID, page.after ?? Int64.max]
            if let status {
                sql += " AND status = ?"
                arguments.append(status.rawValue)
            }
            arguments.append(page.limit + 1)
            let rows = try Row.fetchAll(db, sql: sql + " ORDER BY seq DESC LIMIT ?", arguments: StatementArguments(arguments))
            return Self.page(rows, limit: page.limit, map: Self.delivery(from:))
        }
    }

    public func delivery(id: String) async throws -> WebhookDelivery? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM webhook_deliveries WHERE delivery_id = ?", arguments: [id]).map(Self.delivery(from:))
        }
    }

    public func deliveryContext(id: String) async throws -> DeliveryContext? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM webhook_deliveries WHERE delivery_id = ?", arguments: [id]) else { return nil }
            let delivery = Self.delivery(from: row)
            guard let hook = try Row.fetchOne(db, sql: "SELECT * FROM webhooks WHERE webhook_id = ?", arguments: [delivery.webhookID]),
                  let event = try Row.fetchOne(db, sql: "SELECT * FROM events WHERE event_id = ?", arguments: [delivery.eventID])
            else { return nil }
            return DeliveryContext(
                delivery: delivery, webhook: Self.webhook(from: hook),
                secrets: WebhookSecrets(current: hook["secret"], previous: hook["previous_secret"], previousUntil: hook["previous_secret_until"]),
                event: Self.event(from: event))
        }
    }

    public func recordAttempt(deliveryID: String, lease: TaskLease, _ attempt: DeliveryAttempt, now: Date) async throws -> Bool {
        try await write { db in
            let outcome: TaskOutcome = switch attempt.outcome {
            case .succeeded: .completed
            case .retry(let at): .retry(at: at, error: attempt.error ?? "")
            case .failed: .failed(error: attempt.error ?? "")
            }
            guard try Self.finish(lease, outcome, now: now, db) else { return false }
            let (status, next, delivered): (DeliveryStatus, Date?, Date?) = switch attempt.outcome {
            case .succeeded: (.succeeded, nil, now)
            case .retry(let at): (.pending, at, nil)
            case .failed: (.failed, nil, nil)
            }
            try db.execute(sql: """
                UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_status_code = ?, last_error = ?,
                    next_attempt_at = ?, delivered_at = ?
                WHERE delivery_id = ?
                """, arguments: [status.rawValue, attempt.statusCode, attempt.error, next, delivered, deliveryID])
            let webhookID = try String.fetchOne(db, sql: "SELECT webhook_id FROM webhook_deliveries WHERE delivery_id = ?", arguments: [deliveryID])
            if attempt.outcome == .succeeded {
                try db.execute(sql: "UPDATE webhooks SET failing_since = NULL WHERE webhook_id = ?", arguments: [webhookID])
            } else {
                try db.execute(sql: "UPDATE webhooks SET failing_since = coalesce(failing_since, ?) WHERE webhook_id = ?",
                               arguments: [now, webhookID])
            }
            if let reason = attempt.disableWebhook, let webhookID {
                try Self.disable(webhookID: webhookID, reason: reason, now: now, db)
            }
            return true
        }
    }

    /// Disabled, with `webhook.disabled` recorded (for an admin's webhook or its partner's).
    static func disable(webhookID: String, reason: String, now: Date, _ db: Database) throws {
        try db.execute(sql: "UPDATE webhooks SET status = 'disabled' WHERE webhook_id = ? AND status = 'active'", arguments: [webhookID])
        guard db.changesCount > 0, let webhook = try webhook(id: webhookID, db) else { return }
        try record(.webhookDisabled(webhook, reason: reason, at: now), db)
    }

    public func retryDelivery(id: String, at date: Date) async throws -> WebhookDelivery? {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM webhook_deliveries WHERE delivery_id = ?", arguments: [id]) else { return nil }
            let runs: Int = row["runs"]
            try db.execute(sql: """
                UPDATE webhook_deliveries SET status = 'pending', runs = runs + 1, next_attempt_at = ? WHERE delivery_id = ?
                """, arguments: [date, id])
            // The series still running (waiting for its next try) ends: the new one tries now.
            try db.execute(sql: """
                UPDATE tasks SET state = 'failed', finished_at = ?, last_error = 'Retried by hand.', lease_owner = NULL
                WHERE unique_key = ? AND state = 'waiting'
                """, arguments: [date, "\(id)#\(runs)"])
            _ = try Self.insert([WebhookTasks.task(deliveryID: id, run: runs + 1, at: date)], db)
            return try Row.fetchOne(db, sql: "SELECT * FROM webhook_deliveries WHERE delivery_id = ?", arguments: [id]).map(Self.delivery(from:))
        }
    }

    static func webhook(id: String, _ db: Database) throws -> Webhook? {
        try Row.fetchOne(db, sql: "SELECT * FROM webhooks WHERE webhook_id = ? AND deleted_at IS NULL", arguments: [id]).map(webhook(from:))
    }

    static func webhook(from row: Row) -> Webhook {
        Webhook(
            webhookID: row["webhook_id"], url: row["url"], events: WebhookTasks.events(stored: row["events"]),
            description: row["description"], partnerName: row["partner_name"],
            status: WebhookStatus(rawValue: row["status"]) ?? .disabled, createdAt: row["created_at"], failingSince: row["failing_since"])
    }

    static func delivery(from row: Row) -> WebhookDelivery {
        WebhookDelivery(
            deliveryID: row["delivery_id"], webhookID: row["webhook_id"], eventID: row["event_id"],
            status: DeliveryStatus(rawValue: row["status"]) ?? .pending, attempts: row["attempts"], lastStatusCode: row["last_status_code"],
            lastError: row["last_error"], nextAttemptAt: row["next_attempt_at"], createdAt: row["created_at"], deliveredAt: row["delivered_at"])
    }
}
