/// Vendor sources and their fetches (issue 19); feeds remember the source that fetched them.
enum PostgresSourceMigrations {
    static let all: [PostgresMigrations.Migration] = [
        PostgresMigrations.Migration(name: "017_sources", sql: """
            CREATE TABLE sources (
                seq BIGINT PRIMARY KEY,
                source_id TEXT NOT NULL UNIQUE,
                partner_name TEXT COLLATE "C" NOT NULL,
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                url TEXT NOT NULL,
                format TEXT,
                feed_type TEXT NOT NULL,
                mode TEXT NOT NULL,
                schedule TEXT,
                auth TEXT,
                auth_sealed TEXT,
                mapping TEXT,
                api TEXT,
                max_requests_per_minute BIGINT NOT NULL,
                status TEXT NOT NULL,
                next_fetch_at TIMESTAMPTZ,
                failures_in_a_row BIGINT NOT NULL DEFAULT 0,
                etag TEXT,
                last_modified TEXT,
                last_sha256 TEXT,
                last_fetch_id TEXT,
                created_at TIMESTAMPTZ NOT NULL,
                deleted_at TIMESTAMPTZ
            );
            CREATE TABLE source_fetches (
                seq BIGINT PRIMARY KEY,
                fetch_id TEXT NOT NULL UNIQUE,
                source_id TEXT NOT NULL,
                status TEXT NOT NULL,
                trigger TEXT NOT NULL,
                schedule_key TEXT UNIQUE,
                http_status BIGINT,
                pages BIGINT NOT NULL DEFAULT 0,
                bytes BIGINT NOT NULL DEFAULT 0,
                feed_id TEXT,
                error TEXT,
                started_at TIMESTAMPTZ,
                finished_at TIMESTAMPTZ,
                created_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX source_fetches_by_source ON source_fetches (source_id, seq);
            ALTER TABLE feeds ADD COLUMN source_id TEXT;
            ALTER TABLE feeds ADD COLUMN mapping TEXT;
            ALTER TABLE jobs ADD COLUMN deactivation_skipped BOOLEAN NOT NULL DEFAULT false;
            """),
    ]
}
