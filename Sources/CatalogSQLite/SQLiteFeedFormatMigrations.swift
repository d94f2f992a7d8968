import GRDB

/// Feeds in TSV, JSON and NDJSON beside CSV (issue 19): every feed stored before is CSV.
enum SQLiteFeedFormatMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("013_feed_formats") { db in
            try db.execute(sql: "ALTER TABLE feeds ADD COLUMN format TEXT NOT NULL DEFAULT 'csv'")
        }
    }
}
