/// The source and fetch objects of §Sources. Credentials appear masked only.
public enum SourceJSON {
    public static func object(_ source: Source) -> String {
        let settings = source.settings
        var writer = JSONObjectWriter()
        writer.string("source_id", source.sourceID)
        writer.string("partner_name", source.partnerName)
        writer.string("name", settings.name)
        writer.string("kind", settings.kind.rawValue)
        writer.string("url", settings.url)
        writer.string("format", settings.format?.rawValue)
        writer.string("feed_type", settings.feedType.rawValue)
        writer.string("mode", settings.mode.rawValue)
        writer.raw("schedule", settings.schedule?.json ?? "null")
        writer.raw("auth", settings.maskedAuth?.masked.json ?? "null")
        writer.raw("mapping", settings.mapping?.json ?? "null")
        writer.raw("api", settings.api?.json ?? "null")
        writer.integer("max_requests_per_minute", Int64(settings.maxRequestsPerMinute))
        writer.string("status", source.status.rawValue)
        writer.timestamp("next_fetch_at", source.nextFetchAt)
        writer.raw("last_fetch", source.lastFetch.map(fetch) ?? "null")
        writer.timestamp("created_at", source.createdAt)
        return writer.json
    }

    public static func fetch(_ fetch: SourceFetch) -> String {
        var writer = JSONObjectWriter()
        writer.string("fetch_id", fetch.fetchID)
        writer.string("source_id", fetch.sourceID)
        writer.string("status", fetch.status.rawValue)
        writer.string("trigger", fetch.trigger.rawValue)
        writer.integer("http_status", fetch.httpStatus.map(Int64.init))
        writer.integer("pages", Int64(fetch.pages))
        writer.integer("bytes", fetch.bytes)
        writer.string("feed_id", fetch.feedID)
        writer.string("error", fetch.error)
        writer.timestamp("started_at", fetch.startedAt)
        writer.timestamp("finished_at", fetch.finishedAt)
        writer.timestamp("created_at", fetch.createdAt)
        return writer.json
    }
}
