/// Feeds in TSV, JSON and NDJSON beside CSV (issue 19): every feed stored before is CSV.
enum PostgresFeedFormatMigrations {
    static let all: [PostgresMigrations.Migration] = [
        PostgresMigrations.Migration(name: "016_feed_formats", sql: """
            ALTER TABLE feeds ADD COLUMN format TEXT NOT NULL DEFAULT 'csv';
            """),
    ]
}
