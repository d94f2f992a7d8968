import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: SourceRepository {
    public func createSource(_ new: NewSource) async throws -> Source {
        try await write { db in
            let sourceID = try Self.allocate(.source, db)
            let stored = StoredSourceSettings(new.settings)
            try db.execute(sql: """
                INSERT INTO sources (seq, source_id, partner_name, name, kind, url, format, feed_type, mode, schedule, auth, auth_sealed,
                    mapping, api, max_requests_per_minute, status, next_fetch_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)
                """, arguments: [
                    IDKind.source.number(of: sourceID), sourceID, new.partnerName, stored.name, stored.kind, stored.url, stored.format,
                    stored.feedType, stored.mode, stored.schedule, stored.auth, new.sealedAuth, stored.mapping, stored.api,
                    stored.maxRequestsPerMinute, new.nextFetchAt, new.createdAt,
                ])
            if let next = new.nextFetchAt {
                _ = try Self.insert([SourceTasks.scheduled(sourceID: sourceID, url: stored.url, due: next)], db)
            }
            return try Self.source(id: sourceID, db)!
        }
    }

    public func source(id: String) async throws -> Source? {
        try await read { db in try Self.source(id: id, db) }
    }

    public func listSources(partnerName: String?, _ page: PageRequest) async throws -> Page<Source> {
        try await read { db in
            var sql = "SELECT * FROM sources WHERE deleted_at IS NULL AND seq < ?"
            var arguments: [(any DatabaseValueConvertible)?] = [page.after ?? Int64.max]
            if let partnerName {
                sql += " AND partner_name = ?"
                arguments.append(partnerName)
            }
            arguments.append(page.limit + 1)
            let rows = try Row.fetchAll(db, sql: sql + " ORDER BY seq DESC LIMIT ?", arguments: StatementArguments(arguments))
            let sources = try rows.map { try Self.source(from: $0, db) }
            let next: Int64? = rows.count > page.limit ? rows[page.limit - 1]["seq"] : nil
            return Page(items: Array(sources.prefix(page.limit)), nextAfter: next)
        }
    }

    public func updateSource(id: String, _ update: SourceUpdate) async throws -> Source? {
        try await write { db in
            guard try Self.source(id: id, db) != nil else { return nil }
            let stored = StoredSourceSettings(update.settings)
            try db.execute(sql: """
                UPDATE sources SET name = ?, kind = ?, url = ?, format = ?, feed_type = ?, mode = ?, schedule = ?, auth = ?, mapping = ?,
                    api = ?, max_requests_per_minute = ?, status = ?, next_fetch_at = ?,
                    failures_in_a_row = CASE WHEN ? = 'active' AND status = 'paused' THEN 0 ELSE failures_in_a_row END
                WHERE source_id = ?
                """, arguments: [
                    stored.name, stored.kind, stored.url, stored.format, stored.feedType, stored.mode, stored.schedule, stored.auth,
                    stored.mapping, stored.api, stored.maxRequestsPerMinute, update.status.rawValue, update.nextFetchAt,
                    update.status.rawValue, id,
                ])
            if let sealed = update.sealedAuth {
                try db.execute(sql: "UPDATE sources SET auth_sealed = ? WHERE source_id = ?", arguments: [sealed, id])
            }
            if let next = update.nextFetchAt {
                _ = try Self.insert([SourceTasks.scheduled(sourceID: id, url: stored.url, due: next)], db)
            }
            return try Self.source(id: id, db)
        }
    }

    public func deleteSource(id: String, at date: Date) async throws -> Bool {
        try await write { db in
            try db.execute(sql: """
                UPDATE sources SET deleted_at = ?, next_fetch_at = NULL, auth_sealed = NULL WHERE source_id = ? AND deleted_at IS NULL
                """, arguments: [date, id])
            return db.changesCount > 0
        }
    }

    public func countSourcesWithCredentials() async throws -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM sources WHERE deleted_at IS NULL AND auth_sealed IS NOT NULL") ?? 0
        }
    }

    public func queueFetch(sourceID: String, at date: Date) async throws -> SourceFetch? {
        try await write { db in
            guard let url = try String.fetchOne(db, sql: "SELECT url FROM sources WHERE source_id = ? AND deleted_at IS NULL", arguments: [sourceID])
            else { return nil }
            if let pending = try Row.fetchOne(db, sql: """
                SELECT * FROM source_fetches WHERE source_id = ? AND status IN ('queued', 'running') ORDER BY seq DESC LIMIT 1
                """, arguments: [sourceID]) {
                return Self.fetch(from: pending)
            }
            let fetchID = try Self.allocate(.sourceFetch, db)
            try db.execute(sql: """
                INSERT INTO source_fetches (seq, fetch_id, source_id, status, trigger, created_at) VALUES (?, ?, ?, 'queued', 'manual', ?)
                """, arguments: [IDKind.sourceFetch.number(of: fetchID), fetchID, sourceID, date])
            _ = try Self.insert([SourceTasks.manual(fetchID: fetchID, url: url, at: date)], db)
            return try Self.fetch(id: fetchID, db)
        }
    }

    public func fetches(sourceID: String, _ page: PageRequest) async throws -> Page<SourceFetch> {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM source_fetches WHERE source_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?
                """, arguments: [sourceID, page.after ?? Int64.max, page.limit + 1])
            return Self.page(rows, limit: page.limit, map: Self.fetch(from:))
        }
    }

    public func fetchContext(sourceID: String) async throws -> FetchContext? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sources WHERE source_id = ? AND deleted_at IS NULL", arguments: [sourceID])
            else { return nil }
            return FetchContext(
                source: try Self.source(from: row, db), sealedAuth: row["auth_sealed"], etag: row["etag"], lastModified: row["last_modified"],
                lastSHA256: row["last_sha256"])
        }
    }

    public func startFetch(_ start: FetchStart, at date: Date) async throws -> SourceFetch? {
        try await write { db in
            switch start {
            case .manual(let fetchID):
                try db.execute(sql: """
                    UPDATE source_fetches SET status = 'running', started_at = ? WHERE fetch_id = ? AND status IN ('queued', 'running')
                    """, arguments: [date, fetchID])
                guard db.changesCount > 0 else { return nil }
                return try Self.fetch(id: fetchID, db)
            case .scheduled(let sourceID, let due):
                guard try Self.source(id: sourceID, db) != nil else { return nil }
                let key = SourceTasks.scheduleKey(sourceID: sourceID, due: due)
                if let existing = try Row.fetchOne(db, sql: "SELECT * FROM source_fetches WHERE schedule_key = ?", arguments: [key]) {
                    let fetch = Self.fetch(from: existing)
                    return fetch.status.isFinished ? nil : fetch
                }
                let fetchID = try Self.allocate(.sourceFetch, db)
                try db.execute(sql: """
                    INSERT INTO source_fetches (seq, fetch_id, source_id, status, trigger, schedule_key, started_at, created_at)
                    VALUES (?, ?, ?, 'running', 'schedule', ?, ?, ?)
                    """, arguments: [IDKind.sourceFetch.number(of: fetchID), fetchID, sourceID, key, date, date])
                return try Self.fetch(id: fetchID, db)
            }
        }
    }

    public func finishFetch(_ fetchID: String, lease: TaskLease, _ result: FetchResult, _ next: SourceAfterFetch, now: Date) async throws -> Bool {
        try await write { db in
            guard try Self.finish(lease, .completed, now: now, db) else { return false }
            try db.execute(sql: """
                UPDATE source_fetches SET status = ?, http_status = ?, pages = ?, bytes = ?, feed_id = ?, error = ?, finished_at = ?,
                    started_at = coalesce(started_at, ?)
                WHERE fetch_id = ?
                """, arguments: [
                    result.status.rawValue, result.httpStatus, result.pages, result.bytes, result.feedID, result.error, now, now, fetchID,
                ])
            guard let sourceID = try String.fetchOne(db, sql: "SELECT source_id FROM source_fetches WHERE fetch_id = ?", arguments: [fetchID])
            else { return true }
            try db.execute(sql: """
                UPDATE sources SET last_fetch_id = ?, failures_in_a_row = ?, next_fetch_at = ?,
                    status = CASE WHEN ? THEN 'paused' ELSE status END,
                    etag = coalesce(?, etag), last_modified = coalesce(?, last_modified), last_sha256 = coalesce(?, last_sha256)
                WHERE source_id = ?
                """, arguments: [
                    fetchID, next.failuresInARow, next.nextFetchAt, next.pause, result.etag, result.lastModified, result.sha256, sourceID,
                ])
            if let task = next.nextTask { _ = try Self.insert([task], db) }
            if let source = try Self.source(id: sourceID, db) {
                for type in next.events {
                    try Self.record(NewEvent(type: type, partnerName: source.partnerName, data: SourceJSON.object(source), createdAt: now), db)
                }
            }
            return true
        }
    }

    // MARK: rows

    static func source(id: String, _ db: Database) throws -> Source? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sources WHERE source_id = ? AND deleted_at IS NULL", arguments: [id])
        else { return nil }
        return try source(from: row, db)
    }

    static func source(from row: Row, _ db: Database) throws -> Source {
        let stored = StoredSourceSettings(
            name: row["name"], kind: row["kind"], url: row["url"], format: row["format"], feedType: row["feed_type"], mode: row["mode"],
            schedule: row["schedule"], auth: row["auth"], mapping: row["mapping"], api: row["api"],
            maxRequestsPerMinute: row["max_requests_per_minute"])
        let lastFetchID: String? = row["last_fetch_id"]
        return Source(
            sourceID: row["source_id"], partnerName: row["partner_name"], settings: stored.settings,
            status: SourceStatus(rawValue: row["status"]) ?? .active, nextFetchAt: row["next_fetch_at"],
            lastFetch: try lastFetchID.flatMap { try fetch(id: $0, db) }, failuresInARow: row["failures_in_a_row"], createdAt: row["created_at"])
    }

    static func fetch(id: String, _ db: Database) throws -> SourceFetch? {
        try Row.fetchOne(db, sql: "SELECT * FROM source_fetches WHERE fetch_id = ?", arguments: [id]).map(fetch(from:))
    }

    static func fetch(from row: Row) -> SourceFetch {
        SourceFetch(
            fetchID: row["fetch_id"], sourceID: row["source_id"], status: FetchStatus(rawValue: row["status"]) ?? .queued,
            trigger: FetchTrigger(rawValue: row["trigger"]) ?? .manual, httpStatus: row["http_status"], pages: row["pages"],
            bytes: row["bytes"], feedID: row["feed_id"], error: row["error"], startedAt: row["started_at"], finishedAt: row["finished_at"],
            createdAt: row["created_at"])
    }
}
