/// The analysts' page's sessions (issue 22).
enum PostgresDashboardMigrations {
    static let all: [PostgresMigrations.Migration] = [
        PostgresMigrations.Migration(name: "012_dashboard_sessions", sql: """
            -- Only the SHA-256 of a session's token is kept; the key's revocation ends its sessions.
            CREATE TABLE dashboard_sessions (
                token_hash TEXT COLLATE "C" PRIMARY KEY,
                key_id TEXT NOT NULL REFERENCES api_keys (key_id),
                created_at TIMESTAMPTZ NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX dashboard_sessions_by_expiry ON dashboard_sessions (expires_at);
            """),
    ]
}
