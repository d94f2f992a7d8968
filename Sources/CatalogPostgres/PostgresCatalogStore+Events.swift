import CatalogCore
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalogStore: EventLog {
    public func latestEventSeq() async throws -> Int64 {
        try await withConnection { connection in
            let rows = try await connection.query("SELECT coalesce(max(seq), 0)::bigint FROM events", logger: self.logger)
            for try await (seq) in rows.decode(Int64.self) { return seq }
            return 0
        }
    }

    public func events(_ filter: EventFilter, afterSeq: Int64, limit: Int) async throws -> [CatalogEvent] {
        try await withConnection { connection in
            var binds = PostgresBindings()
            binds.append(afterSeq)
            var conditions = ["seq > $1"]
            if let type = filter.type {
                binds.append(type.rawValue)
                conditions.append("type = $\(binds.count)")
            }
            if let partnerName = filter.partnerName {
                binds.append(partnerName)
                conditions.append("partner_name = $\(binds.count)")
            }
            binds.append(limit)
            let sql = "SELECT * FROM events WHERE \(conditions.joined(separator: " AND ")) ORDER BY seq LIMIT $\(binds.count)"
            return try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.logger).rows().map(Self.event(from:))
        }
    }

    public func pruneEvents(before date: Date) async throws -> Int {
        try await withConnection(.upTo(.seconds(300))) { connection in
            let deleted = try await connection.query("""
                WITH gone AS (DELETE FROM events WHERE created_at < \(date) RETURNING 1) SELECT count(*) FROM gone
                """, logger: self.logger).one(Int64.self) ?? 0
            return Int(deleted)
        }
    }

    /// Records `event` inside the caller's transaction, with a delivery and its task for every active
    /// webhook that wants it.
    static func record(_ event: NewEvent, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let eventID = try await allocate(.event, count: 1, connection, logger)
        try await connection.query("""
            INSERT INTO events (seq, event_id, type, partner_name, data, created_at)
            VALUES (\(eventID.last), \(eventID.formatted), \(event.type.rawValue), \(event.partnerName), \(event.data), \(event.createdAt))
            """, logger: logger).drain()
        let webhooks = try await connection.query("""
            SELECT webhook_id FROM webhooks
            WHERE status = 'active' AND deleted_at IS NULL AND (partner_name IS NULL OR partner_name = \(event.partnerName))
              AND (events LIKE '%,*,%' OR events LIKE \("%,\(event.type.rawValue),%"))
            ORDER BY seq
            """, logger: logger).rows().map { try $0[0].decode(String.self) }
        for webhookID in webhooks {
            let delivery = try await allocate(.webhookDelivery, count: 1, connection, logger)
            try await connection.query("""
                INSERT INTO webhook_deliveries (seq, delivery_id, webhook_id, event_id, status, next_attempt_at, created_at)
                VALUES (\(delivery.last), \(delivery.formatted), \(webhookID), \(eventID.formatted), 'pending', \(event.createdAt),
                    \(event.createdAt))
                """, logger: logger).drain()
            _ = try await insert([WebhookTasks.task(deliveryID: delivery.formatted, run: 1, at: event.createdAt)], connection, logger)
        }
    }

    static func event(from row: PostgresRandomAccessRow) throws -> CatalogEvent {
        CatalogEvent(
            seq: try row.value("seq"), eventID: try row.value("event_id"),
            type: EventType(rawValue: try row.value("type")) ?? .jobCompleted, partnerName: try row.optional("partner_name"),
            data: try row.value("data"), createdAt: try row.value("created_at"))
    }
}

extension PostgresCatalogStore: WebhookRepository {
    public func createWebhook(_ new: NewWebhook) async throws -> Webhook {
        try await transaction { connection in
            let logger = self.logger
            let id = try await Self.allocate(.webhook, count: 1, connection, logger)
            try await connection.query("""
                INSERT INTO webhooks (seq, webhook_id, url, events, description, partner_name, status, secret, created_at)
                VALUES (\(id.last), \(id.formatted), \(new.url), \(WebhookTasks.storedEvents(new.events)), \(new.description),
                    \(new.partnerName), 'active', \(new.secret), \(new.createdAt))
                """, logger: logger).drain()
            guard let webhook = try await Self.webhook(id: id.formatted, connection, logger) else {
                throw CatalogError(.internal, "The new webhook \(id.formatted) was not stored.")
            }
            return webhook
        }
    }

    public func webhook(id: String) async throws -> Webhook? {
        try await withConnection { connection in try await Self.webhook(id: id, connection, self.logger) }
    }

    public func listWebhooks(partnerName: String?, _ page: PageRequest) async throws -> Page<Webhook> {
        try await withConnection { connection in
            let after = page.after ?? Int64.max
            let rows = if let partnerName {
                try await connection.query("""
                    SELECT * FROM webhooks WHERE deleted_at IS NULL AND partner_name = \(partnerName) AND seq < \(after)
                    ORDER BY seq DESC LIMIT \(page.limit + 1)
                    """, logger: self.logger).rows()
            } else {
                try await connection.query("""
                    SELECT * FROM webhooks WHERE deleted_at IS NULL AND seq < \(after) ORDER BY seq DESC LIMIT \(page.limit + 1)
                    """, logger: self.logger).rows()
            }
            return try Self.page(rows, limit: page.limit, map: Self.webhook(from:))
        }
    }

    public func updateWebhook(id: String, _ changes: WebhookChanges) async throws -> Webhook? {
        try await transaction { connection in
            let logger = self.logger
            guard try await Self.webhook(id: id, connection, logger) != nil else { return nil }
            if let url = changes.url {
                try await connection.query("UPDATE webhooks SET url = \(url) WHERE webhook_id = \(id)", logger: logger).drain()
            }
            if let events = changes.events {
                try await connection.query("""
                    UPDATE webhooks SET events = \(WebhookTasks.storedEvents(events)) WHERE webhook_id = \(id)
                    """, logger: logger).drain()
            }
            if let description = changes.description {
                try await connection.query("UPDATE webhooks SET description = \(description) WHERE webhook_id = \(id)", logger: logger).drain()
            }
            if let status = changes.status {
                // Enabled again: its failures so far no longer count towards the 3 days.
                try await connection.query("""
                    UPDATE webhooks SET status = \(status.rawValue), failing_since = NULL WHERE webhook_id = \(id)
                    """, logger: logger).drain()
            }
            return try await Self.webhook(id: id, connection, logger)
        }
    }

    public func deleteWebhook(id: String, at date: Date) async throws -> Bool {
        try await withConnection { connection in
            try await connection.query("""
                UPDATE webhooks SET deleted_at = \(date), status = 'disabled' WHERE webhook_id = \(id) AND deleted_at IS NULL RETURNING 1
                """, logger: self.logger).one(Int.self) != nil
        }
    }

    public func rotateSecret(webhookID: String, newSecret: String, previousUntil: Date) async throws -> Bool {
        try await withConnection { connection in
            try await connection.query("""
                UPDATE webhooks SET previous_secret = secret, previous_secret_until = \(previousUntil), secret = \(newSecret)
                WHERE webhook_id = \(webhookID) AND deleted_at IS NULL
                RETURNING 1
                """, logger: self.logger).one(Int.self) != nil
        }
    }

    public func deliveries(webhookID: String, status: DeliveryStatus?, _ page: PageRequest) async throws -> Page<WebhookDelivery> {
        try await withConnection { connection in
            let after = page.after ?? Int64.max
            let rows = if let status {
                try await connection.query("""
                    SELECT * FROM webhook_deliveries WHERE webhook_id = \(webhookID) AND seq < \(after) AND status = \(status.rawValue)
                    ORDER BY seq DESC LIMIT \(page.limit + 1)
                    """, logger: self.logger).rows()
            } else {
                try await connection.query("""
                    SELECT * FROM webhook_deliveries WHERE webhook_id = \(webhookID) AND seq < \(after)
                    ORDER BY seq DESC LIMIT \(page.limit + 1)
                    """, logger: self.logger).rows()
            }
            return try Self.page(rows, limit: page.limit, map: Self.delivery(from:))
        }
    }

    public func delivery(id: String) async throws -> WebhookDelivery? {
        try await withConnection { connection in
            try await connection.query("SELECT * FROM webhook_deliveries WHERE delivery_id = \(id)", logger: self.logger)
                .first().map(Self.delivery(from:))
        }
    }

    public func deliveryContext(id: String) async throws -> DeliveryContext? {
        try await withConnection { connection in
            let logger = self.logger
            guard let row = try await connection.query("SELECT * FROM webhook_deliveries WHERE delivery_id = \(id)", logger: logger).first()
            else { return nil }
            let delivery = try Self.delivery(from: row)
            guard let hook = try await connection.query("SELECT * FROM webhooks WHERE webhook_id = \(delivery.webhookID)", logger: logger).first(),
                  let event = try await connection.query("SELECT * FROM events WHERE event_id = \(delivery.eventID)", logger: logger).first()
            else { return nil }
            return DeliveryContext(
                delivery: delivery, webhook: try Self.webhook(from: hook),
                secrets: WebhookSecrets(current: try hook.value("secret"), previous: try hook.optional("previous_secret"),
                                        previousUntil: try hook.optional("previous_secret_until")),
                event: try Self.event(from: event))
        }
    }

    public func recordAttempt(deliveryID: String, lease: TaskLease, _ attempt: DeliveryAttempt, now: Date) async throws -> Bool {
        try await transaction { connection in
            let logger = self.logger
            let outcome: TaskOutcome = switch attempt.outcome {
            case .succeeded: .completed
            case .retry(let at): .retry(at: at, error: attempt.error ?? "")
            case .failed: .failed(error: attempt.error ?? "")
            }
            guard try await Self.finish(lease, outcome, now: now, connection, logger) else { return false }
            let (status, next, delivered): (DeliveryStatus, Date?, Date?) = switch attempt.outcome {
            case .succeeded: (.succeeded, nil, now)
            case .retry(let at): (.pending, at, nil)
            case .failed: (.failed, nil, nil)
            }
            let statusCode = attempt.statusCode.map(Int32.init)
            guard let webhookID = try await connection.query("""
                UPDATE webhook_deliveries SET status = \(status.rawValue), attempts = attempts + 1, last_status_code = \(statusCode),
                    last_error = \(attempt.error), next_attempt_at = \(next), delivered_at = \(delivered)
                WHERE delivery_id = \(deliveryID)
                RETURNING webhook_id
                """, logger: logger).one(String.self)
            else { return true }
            if attempt.outcome == .succeeded {
                try await connection.query("UPDATE webhooks SET failing_since = NULL WHERE webhook_id = \(webhookID)", logger: logger).drain()
            } else {
                try await connection.query("""
                    UPDATE webhooks SET failing_since = coalesce(failing_since, \(now)) WHERE webhook_id = \(webhookID)
                    """, logger: logger).drain()
            }
            if let reason = attempt.disableWebhook {
                try await Self.disable(webhookID: webhookID, reason: reason, now: now, connection, logger)
            }
            return true
        }
    }

    /// Disabled, with `webhook.disabled` recorded.
    static func disable(webhookID: String, reason: String, now: Date, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let changed = try await connection.query("""
            UPDATE webhooks SET status = 'disabled' WHERE webhook_id = \(webhookID) AND status = 'active' RETURNING 1
            """, logger: logger).one(Int.self)
        guard changed != nil, let webhook = try await webhook(id: webhookID, connection, logger) else { return }
        try await record(.webhookDisabled(webhook, reason: reason, at: now), connection, logger)
    }

    public func retryDelivery(id: String, at date: Date) async throws -> WebhookDelivery? {
        try await transaction { connection in
            let logger = self.logger
            guard let runs = try await connection.query("""
                SELECT runs FROM webhook_deliveries WHERE delivery_id = \(id) FOR UPDATE
                """, logger: logger).one(Int32.self)
            else { return nil }
            try await connection.query("""
                UPDATE webhook_deliveries SET status = 'pending', runs = runs + 1, next_attempt_at = \(date) WHERE delivery_id = \(id)
                """, logger: logger).drain()
            // The series still waiting for its next try ends: the new one tries now.
            try await connection.query("""
                UPDATE tasks SET state = 'failed', finished_at = \(date), last_error = 'Retried by hand.'
                WHERE unique_key = \("\(id)#\(runs)") AND state = 'waiting'
                """, logger: logger).drain()
            _ = try await Self.insert([WebhookTasks.task(deliveryID: id, run: Int(runs) + 1, at: date)], connection, logger)
            return try await connection.query("SELECT * FROM webhook_deliveries WHERE delivery_id = \(id)", logger: logger)
                .first().map(Self.delivery(from:))
        }
    }

    static func webhook(id: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> Webhook? {
        try await connection.query("SELECT * FROM webhooks WHERE webhook_id = \(id) AND deleted_at IS NULL", logger: logger)
            .first().map(webhook(from:))
    }

    static func webhook(from row: PostgresRandomAccessRow) throws -> Webhook {
        Webhook(
            webhookID: try row.value("webhook_id"), url: try row.value("url"), events: WebhookTasks.events(stored: try row.value("events")),
            description: try row.optional("description"), partnerName: try row.optional("partner_name"),
            status: WebhookStatus(rawValue: try row.value("status")) ?? .disabled, createdAt: try row.value("created_at"),
            failingSince: try row.optional("failing_since"))
    }

    static func delivery(from row: PostgresRandomAccessRow) throws -> WebhookDelivery {
        WebhookDelivery(
            deliveryID: try row.value("delivery_id"), webhookID: try row.value("webhook_id"), eventID: try row.value("event_id"),
            status: DeliveryStatus(rawValue: try row.value("status")) ?? .pending, attempts: Int(try row.value("attempts", Int32.self)),
            lastStatusCode: (try row.optional("last_status_code", Int32.self)).map(Int.init), lastError: try row.optional("last_error"),
            nextAttemptAt: try row.optional("next_attempt_at"), createdAt: try row.value("created_at"),
            deliveredAt: try row.optional("delivered_at"))
    }
}
