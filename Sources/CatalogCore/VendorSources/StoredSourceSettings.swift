import Foundation

/// A source's settings as the stores keep them: plain columns, and JSON texts for the nested parts.
/// Both stores map rows through this, so they hold SQL only.
public struct StoredSourceSettings: Sendable {
    public var name: String
    public var kind: String
    public var url: String
    public var format: String?
    public var feedType: String
    public var mode: String
    public var schedule: String?
    public var auth: String?
    public var mapping: String?
    public var api: String?
    public var maxRequestsPerMinute: Int

    public init(_ settings: SourceSettings) {
        name = settings.name
        kind = settings.kind.rawValue
        url = settings.url
        format = settings.format?.rawValue
        feedType = settings.feedType.rawValue
        mode = settings.mode.rawValue
        schedule = settings.schedule?.json
        auth = settings.maskedAuth?.masked.json
        mapping = settings.mapping?.json
        api = settings.api?.json
        maxRequestsPerMinute = settings.maxRequestsPerMinute
    }

    public init(
        name: String, kind: String, url: String, format: String?, feedType: String, mode: String, schedule: String?, auth: String?,
        mapping: String?, api: String?, maxRequestsPerMinute: Int
    ) {
        self.name = name
        self.kind = kind
        self.url = url
        self.format = format
        self.feedType = feedType
        self.mode = mode
        self.schedule = schedule
        self.auth = auth
        self.mapping = mapping
        self.api = api
        self.maxRequestsPerMinute = maxRequestsPerMinute
    }

    /// The settings back (what was stored was valid when it was stored).
    public var settings: SourceSettings {
        func value(_ text: String?) -> JSONValue {
            guard let text, let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return .null }
            return value
        }
        let feedType = FeedType(rawValue: feedType) ?? .products
        return SourceSettings(
            name: name, kind: SourceKind(rawValue: kind) ?? .file, url: url, format: format.flatMap(FeedFormat.init(rawValue:)),
            feedType: feedType, mode: FeedMode(rawValue: mode) ?? .delta, schedule: try? SourceSchedule.parse(value(schedule)),
            maskedAuth: auth.flatMap(SourceAuth.decode), mapping: try? SourceMapping.parse(value(mapping), feedType: feedType),
            api: try? SourceAPI.parse(value(api)), maxRequestsPerMinute: maxRequestsPerMinute)
    }
}
