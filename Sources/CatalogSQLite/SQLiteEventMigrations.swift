import GRDB

/// The event log and webhooks (issue 18).
enum SQLiteEventMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("011_events_webhooks") { db in
            try db.execute(sql: """
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY,
                    event_id TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    partner_name TEXT,
                    data TEXT NOT NULL,
                    created_at DATETIME NOT NULL
                );
                CREATE INDEX events_by_partner ON events (partner_name, seq);
                CREATE INDEX events_by_time ON events (created_at);
                CREATE TABLE webhooks (
                    seq INTEGER PRIMARY KEY,
                    webhook_id TEXT NOT NULL UNIQUE,
                    url TEXT NOT NULL,
                    events TEXT NOT NULL,
                    description TEXT,
                    partner_name TEXT,
                    status TEXT NOT NULL,
                    secret TEXT NOT NULL,
                    previous_secret TEXT,
                    previous_secret_until DATETIME,
                    failing_since DATETIME,
                    created_at DATETIME NOT NULL,
                    deleted_at DATETIME
                );
                CREATE TABLE webhook_deliveries (
                    seq INTEGER PRIMARY KEY,
                    delivery_id TEXT NOT NULL UNIQUE,
                    webhook_id TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    runs INTEGER NOT NULL DEFAULT 1,
                    last_status_code INTEGER,
                    last_error TEXT,
                    next_attempt_at DATETIME,
                    created_at DATETIME NOT NULL,
                    delivered_at DATETIME,
                    UNIQUE (webhook_id, event_id)
                );
                CREATE INDEX deliveries_by_webhook ON webhook_deliveries (webhook_id, seq);
                """)
        }
    }
}
