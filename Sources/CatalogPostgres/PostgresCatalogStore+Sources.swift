import CatalogCore
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalogStore: SourceRepository {
    public func createSource(_ new: NewSource) async throws -> Source {
        try await transaction { connection in
            let logger = self.logger
            let block = try await Self.allocate(.source, count: 1, connection, logger)
            let sourceID = block.formatted
            let stored = StoredSourceSettings(new.settings)
            try await connection.query("""
                INSERT INTO sources (seq, source_id, partner_name, name, kind, url, format, feed_type, mode, schedule, auth, auth_sealed,
                    mapping, api, max_requests_per_minute, status, next_fetch_at, created_at)
                VALUES (\(block.last), \(sourceID), \(new.partnerName), \(stored.name), \(stored.kind), \(stored.url), \(stored.format),
                    \(stored.feedType), \(stored.mode), \(stored.schedule), \(stored.auth), \(new.sealedAuth), \(stored.mapping), \(stored.api),
                    \(stored.maxRequestsPerMinute), 'active', \(new.nextFetchAt), \(new.createdAt))
                """, logger: logger).drain()
            if let next = new.nextFetchAt {
                _ = try await Self.insert([SourceTasks.scheduled(sourceID: sourceID, url: stored.url, due: next)], connection, logger)
            }
            guard let source = try await Self.source(id: sourceID, connection, logger) else {
                throw CatalogError(.internal, "The new source could not be read back.")
            }
            return source
        }
    }

    public func source(id: String) async throws -> Source? {
        try await withConnection { connection in try await Self.source(id: id, connection, self.logger) }
    }

    public func listSources(partnerName: String?, _ page: PageRequest) async throws -> Page<Source> {
        try await withConnection { connection in
            let logger = self.logger
            let after = page.after ?? Int64.max
            let rows = if let partnerName {
                try await connection.query("""
                    SELECT * FROM sources WHERE deleted_at IS NULL AND partner_name = \(partnerName) AND seq < \(after)
                    ORDER BY seq DESC LIMIT \(page.limit + 1)
                    """, logger: logger).rows()
            } else {
                try await connection.query("""
                    SELECT * FROM sources WHERE deleted_at IS NULL AND seq < \(after) ORDER BY seq DESC LIMIT \(page.limit + 1)
                    """, logger: logger).rows()
            }
            var sources: [Source] = []
            for row in rows.prefix(page.limit) { sources.append(try await Self.source(from: row, connection, logger)) }
            let next: Int64? = rows.count > page.limit ? try rows[page.limit - 1].value("seq", Int64.self) : nil
            return Page(items: sources, nextAfter: next)
        }
    }

    public func updateSource(id: String, _ update: SourceUpdate) async throws -> Source? {
        try await transaction { connection in
            let logger = self.logger
            guard try await Self.source(id: id, connection, logger) != nil else { return nil }
            let stored = StoredSourceSettings(update.settings)
            let status = update.status.rawValue
            try await connection.query("""
                UPDATE sources SET name = \(stored.name), kind = \(stored.kind), url = \(stored.url), format = \(stored.format),
                    feed_type = \(stored.feedType), mode = \(stored.mode), schedule = \(stored.schedule), auth = \(stored.auth),
                    mapping = \(stored.mapping), api = \(stored.api), max_requests_per_minute = \(stored.maxRequestsPerMinute),
                    next_fetch_at = \(update.nextFetchAt),
                    failures_in_a_row = CASE WHEN \(status) = 'active' AND status = 'paused' THEN 0 ELSE failures_in_a_row END,
                    status = \(status)
                WHERE source_id = \(id)
                """, logger: logger).drain()
            if let sealed = update.sealedAuth {
                try await connection.query("UPDATE sources SET auth_sealed = \(sealed) WHERE source_id = \(id)", logger: logger).drain()
            }
            if let next = update.nextFetchAt {
                _ = try await Self.insert([SourceTasks.scheduled(sourceID: id, url: stored.url, due: next)], connection, logger)
            }
            return try await Self.source(id: id, connection, logger)
        }
    }

    public func deleteSource(id: String, at date: Date) async throws -> Bool {
        try await withConnection { connection in
            let rows = try await connection.query("""
                UPDATE sources SET deleted_at = \(date), next_fetch_at = NULL, auth_sealed = NULL
                WHERE source_id = \(id) AND deleted_at IS NULL RETURNING source_id
                """, logger: self.logger).rows()
            return !rows.isEmpty
        }
    }

    public func countSourcesWithCredentials() async throws -> Int {
        try await withConnection { connection in
            try await connection.query("""
                SELECT count(*) FROM sources WHERE deleted_at IS NULL AND auth_sealed IS NOT NULL
                """, logger: self.logger).one(Int64.self).map(Int.init) ?? 0
        }
    }

    public func queueFetch(sourceID: String, at date: Date) async throws -> SourceFetch? {
        try await transaction { connection in
            let logger = self.logger
            guard let url = try await connection.query("""
                SELECT url FROM sources WHERE source_id = \(sourceID) AND deleted_at IS NULL
                """, logger: logger).one(String.self)
            else { return nil }
            // Serialises asks for the same source, so that two at once queue one fetch.
            try await connection.query("SELECT 1 FROM sources WHERE source_id = \(sourceID) FOR UPDATE", logger: logger).drain()
            if let pending = try await connection.query("""
                SELECT * FROM source_fetches WHERE source_id = \(sourceID) AND status IN ('queued', 'running') ORDER BY seq DESC LIMIT 1
                """, logger: logger).first() {
                return try Self.fetch(from: pending)
            }
            let block = try await Self.allocate(.sourceFetch, count: 1, connection, logger)
            try await connection.query("""
                INSERT INTO source_fetches (seq, fetch_id, source_id, status, trigger, created_at)
                VALUES (\(block.last), \(block.formatted), \(sourceID), 'queued', 'manual', \(date))
                """, logger: logger).drain()
            _ = try await Self.insert([SourceTasks.manual(fetchID: block.formatted, url: url, at: date)], connection, logger)
            return try await Self.fetch(id: block.formatted, connection, logger)
        }
    }

    public func fetches(sourceID: String, _ page: PageRequest) async throws -> Page<SourceFetch> {
        try await withConnection { connection in
            let rows = try await connection.query("""
                SELECT * FROM source_fetches WHERE source_id = \(sourceID) AND seq < \(page.after ?? Int64.max)
                ORDER BY seq DESC LIMIT \(page.limit + 1)
                """, logger: self.logger).rows()
            return try Self.page(rows, limit: page.limit, map: Self.fetch(from:))
        }
    }

    public func fetchContext(sourceID: String) async throws -> FetchContext? {
        try await withConnection { connection in
            let logger = self.logger
            guard let row = try await connection.query("""
                SELECT * FROM sources WHERE source_id = \(sourceID) AND deleted_at IS NULL
                """, logger: logger).first()
            else { return nil }
            return FetchContext(
                source: try await Self.source(from: row, connection, logger), sealedAuth: try row.optional("auth_sealed"),
                etag: try row.optional("etag"), lastModified: try row.optional("last_modified"), lastSHA256: try row.optional("last_sha256"))
        }
    }

    public func startFetch(_ start: FetchStart, at date: Date) async throws -> SourceFetch? {
        try await transaction { connection in
            let logger = self.logger
            switch start {
            case .manual(let fetchID):
                let rows = try await connection.query("""
                    UPDATE source_fetches SET status = 'running', started_at = \(date)
                    WHERE fetch_id = \(fetchID) AND status IN ('queued', 'running') RETURNING fetch_id
                    """, logger: logger).rows()
                guard !rows.isEmpty else { return nil }
                return try await Self.fetch(id: fetchID, connection, logger)
            case .scheduled(let sourceID, let due):
                guard try await Self.source(id: sourceID, connection, logger) != nil else { return nil }
                let key = SourceTasks.scheduleKey(sourceID: sourceID, due: due)
                if let existing = try await connection.query("SELECT * FROM source_fetches WHERE schedule_key = \(key)", logger: logger).first() {
                    let fetch = try Self.fetch(from: existing)
                    return fetch.status.isFinished ? nil : fetch
                }
                let block = try await Self.allocate(.sourceFetch, count: 1, connection, logger)
                try await connection.query("""
                    INSERT INTO source_fetches (seq, fetch_id, source_id, status, trigger, schedule_key, started_at, created_at)
                    VALUES (\(block.last), \(block.formatted), \(sourceID), 'running', 'schedule', \(key), \(date), \(date))
                    """, logger: logger).drain()
                return try await Self.fetch(id: block.formatted, connection, logger)
            }
        }
    }

    public func finishFetch(_ fetchID: String, lease: TaskLease, _ result: FetchResult, _ next: SourceAfterFetch, now: Date) async throws -> Bool {
        try await transaction { connection in
            let logger = self.logger
            guard try await Self.finish(lease, .completed, now: now, connection, logger) else { return false }
            try await connection.query("""
                UPDATE source_fetches SET status = \(result.status.rawValue), http_status = \(result.httpStatus), pages = \(result.pages),
                    bytes = \(result.bytes), feed_id = \(result.feedID), error = \(result.error), finished_at = \(now),
                    started_at = coalesce(started_at, \(now))
                WHERE fetch_id = \(fetchID)
                """, logger: logger).drain()
            guard let sourceID = try await connection.query("""
                SELECT source_id FROM source_fetches WHERE fetch_id = \(fetchID)
                """, logger: logger).one(String.self)
            else { return true }
            try await connection.query("""
                UPDATE sources SET last_fetch_id = \(fetchID), failures_in_a_row = \(next.failuresInARow), next_fetch_at = \(next.nextFetchAt),
                    status = CASE WHEN \(next.pause) THEN 'paused' ELSE status END,
                    etag = coalesce(\(result.etag), etag), last_modified = coalesce(\(result.lastModified), last_modified),
                    last_sha256 = coalesce(\(result.sha256), last_sha256)
                WHERE source_id = \(sourceID)
                """, logger: logger).drain()
            if let task = next.nextTask { _ = try await Self.insert([task], connection, logger) }
            if let source = try await Self.source(id: sourceID, connection, logger) {
                for type in next.events {
                    try await Self.record(
                        NewEvent(type: type, partnerName: source.partnerName, data: SourceJSON.object(source), createdAt: now), connection, logger)
                }
            }
            return true
        }
    }

    // MARK: rows

    static func source(id: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> Source? {
        guard let row = try await connection.query("""
            SELECT * FROM sources WHERE source_id = \(id) AND deleted_at IS NULL
            """, logger: logger).first()
        else { return nil }
        return try await source(from: row, connection, logger)
    }

    static func source(from row: PostgresRandomAccessRow, _ connection: PostgresConnection, _ logger: Logger) async throws -> Source {
        let stored = StoredSourceSettings(
            name: try row.value("name"), kind: try row.value("kind"), url: try row.value("url"), format: try row.optional("format"),
            feedType: try row.value("feed_type"), mode: try row.value("mode"), schedule: try row.optional("schedule"),
            auth: try row.optional("auth"), mapping: try row.optional("mapping"), api: try row.optional("api"),
            maxRequestsPerMinute: Int(try row.value("max_requests_per_minute", Int64.self)))
        let lastFetchID: String? = try row.optional("last_fetch_id")
        var lastFetch: SourceFetch?
        if let lastFetchID { lastFetch = try await fetch(id: lastFetchID, connection, logger) }
        return Source(
            sourceID: try row.value("source_id"), partnerName: try row.value("partner_name"), settings: stored.settings,
            status: SourceStatus(rawValue: try row.value("status")) ?? .active, nextFetchAt: try row.optional("next_fetch_at"),
            lastFetch: lastFetch, failuresInARow: Int(try row.value("failures_in_a_row", Int64.self)), createdAt: try row.value("created_at"))
    }

    static func fetch(id: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> SourceFetch? {
        try await connection.query("SELECT * FROM source_fetches WHERE fetch_id = \(id)", logger: logger).first().map(fetch(from:))
    }

    static func fetch(from row: PostgresRandomAccessRow) throws -> SourceFetch {
        SourceFetch(
            fetchID: try row.value("fetch_id"), sourceID: try row.value("source_id"),
            status: FetchStatus(rawValue: try row.value("status")) ?? .queued,
            trigger: FetchTrigger(rawValue: try row.value("trigger")) ?? .manual,
            httpStatus: try row.optional("http_status", Int64.self).map(Int.init), pages: Int(try row.value("pages", Int64.self)),
            bytes: try row.value("bytes", Int64.self), feedID: try row.optional("feed_id"), error: try row.optional("error"),
            startedAt: try row.optional("started_at"), finishedAt: try row.optional("finished_at"), createdAt: try row.value("created_at"))
    }
}
