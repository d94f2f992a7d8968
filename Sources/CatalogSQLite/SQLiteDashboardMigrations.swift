import GRDB

/// The analysts' page's sessions (issue 22).
enum SQLiteDashboardMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("009_dashboard_sessions") { db in
            try db.execute(sql: """
                -- Only the SHA-256 of a session's token is kept; the key's revocation ends its sessions.
                CREATE TABLE dashboard_sessions (
                    token_hash TEXT PRIMARY KEY,
                    key_id TEXT NOT NULL REFERENCES api_keys (key_id),
                    created_at DATETIME NOT NULL,
                    expires_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX dashboard_sessions_by_expiry ON dashboard_sessions (expires_at);
                """)
        }
    }
}
