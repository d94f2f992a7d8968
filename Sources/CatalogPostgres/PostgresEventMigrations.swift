/// The event log and webhooks (issue 18).
enum PostgresEventMigrations {
    static let all: [PostgresMigrations.Migration] = [
        PostgresMigrations.Migration(name: "014_events_webhooks", sql: """
            CREATE TABLE events (
                seq BIGINT PRIMARY KEY,
                event_id TEXT NOT NULL UNIQUE,
                type TEXT COLLATE "C" NOT NULL,
                partner_name TEXT COLLATE "C",
                data TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX events_by_partner ON events (partner_name, seq);
            CREATE INDEX events_by_time ON events (created_at);
            CREATE TABLE webhooks (
                seq BIGINT PRIMARY KEY,
                webhook_id TEXT NOT NULL UNIQUE,
                url TEXT NOT NULL,
                events TEXT NOT NULL,
                description TEXT,
                partner_name TEXT COLLATE "C",
                status TEXT NOT NULL,
                secret TEXT NOT NULL,
                previous_secret TEXT,
                previous_secret_until TIMESTAMPTZ,
                failing_since TIMESTAMPTZ,
                created_at TIMESTAMPTZ NOT NULL,
                deleted_at TIMESTAMPTZ
            );
            CREATE TABLE webhook_deliveries (
                seq BIGINT PRIMARY KEY,
                delivery_id TEXT NOT NULL UNIQUE,
                webhook_id TEXT NOT NULL,
                event_id TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                runs INTEGER NOT NULL DEFAULT 1,
                last_status_code INTEGER,
                last_error TEXT,
                next_attempt_at TIMESTAMPTZ,
                created_at TIMESTAMPTZ NOT NULL,
                delivered_at TIMESTAMPTZ,
                UNIQUE (webhook_id, event_id)
            );
            CREATE INDEX deliveries_by_webhook ON webhook_deliveries (webhook_id, seq);
            """),
    ]
}
