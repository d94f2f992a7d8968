import Foundation

/// §Sources: registering, changing, pausing and fetching a partner's vendor sources. An admin names
/// the partner; a partner key manages its own.
public struct SourceService: Sendable {
    let store: any SourceRepository & PartnerRepository
    let clock: any CatalogClock
    let targets: any TargetPolicy
    let secrets: SecretBox?
    public static let defaultRequestsPerMinute = 60
    /// 1,000 a second: a vendor on the same network may take that much.
    public static let maxRequestsPerMinute: Int64 = 60_000

    public init(store: any SourceRepository & PartnerRepository, clock: any CatalogClock, targets: any TargetPolicy, secrets: SecretBox?) {
        self.store = store
        self.clock = clock
        self.targets = targets
        self.secrets = secrets
    }

    public func create(_ body: [String: JSONValue], by principal: Principal) async throws -> Source {
        try principal.require(.admin, .partner)
        try Self.checkFields(body, allowed: Self.creatable)
        let partnerName = try await owner(body["partner_name"], principal)
        var settings = SourceSettings(
            name: "", kind: body["api"].map { $0 == .null ? SourceKind.file : .api } ?? .file, url: "", format: nil, feedType: .products,
            mode: .delta, schedule: nil, maskedAuth: nil, mapping: nil, api: nil, maxRequestsPerMinute: Self.defaultRequestsPerMinute)
        guard body["url"] != nil else { throw CatalogError.validation("url is required.", parameter: "url") }
        let sealed = try await apply(body, to: &settings)
        let now = clock.now()
        return try await store.createSource(NewSource(
            partnerName: partnerName, settings: settings, sealedAuth: sealed ?? nil, nextFetchAt: settings.schedule?.next(after: now), createdAt: now))
    }

    public func get(_ id: String, by principal: Principal) async throws -> Source {
        try principal.require(.admin, .partner, .analyst)
        guard IDKind.source.number(of: id) != nil, let source = try await store.source(id: id), Self.sees(source, principal) else {
            throw CatalogError.notFound("Source", id)
        }
        return source
    }

    public func list(partnerName: String?, _ page: PageRequest, by principal: Principal) async throws -> Page<Source> {
        try principal.require(.admin, .partner, .analyst)
        if principal.role == .partner {
            guard let own = principal.partner?.partnerName else { return Page(items: [], nextAfter: nil) }
            if let partnerName, partnerName != own { return Page(items: [], nextAfter: nil) }
            return try await store.listSources(partnerName: own, page)
        }
        return try await store.listSources(partnerName: partnerName, page)
    }

    public func update(_ id: String, _ body: [String: JSONValue], by principal: Principal) async throws -> Source {
        try principal.require(.admin, .partner)
        let source = try await get(id, by: principal)
        try Self.checkFields(body, allowed: Self.creatable.union(["status"]).subtracting(["partner_name"]))
        var settings = source.settings
        let sealed = try await apply(body, to: &settings)
        var status = source.status
        if let given = body["status"] {
            guard case .string(let text) = given, let parsed = SourceStatus(rawValue: text) else {
                throw CatalogError.validation("status must be active or paused.", parameter: "status")
            }
            status = parsed
        }
        let now = clock.now()
        var next: Date?
        if status == .active, let schedule = settings.schedule {
            let unchanged = source.status == .active && settings.schedule == source.settings.schedule && settings.url == source.settings.url
            next = unchanged ? (source.nextFetchAt ?? schedule.next(after: now)) : schedule.next(after: now)
        }
        guard let updated = try await store.updateSource(
            id: id, SourceUpdate(settings: settings, sealedAuth: sealed, status: status, nextFetchAt: next))
        else { throw CatalogError.notFound("Source", id) }
        return updated
    }

    public func delete(_ id: String, by principal: Principal) async throws {
        try principal.require(.admin, .partner)
        _ = try await get(id, by: principal)
        guard try await store.deleteSource(id: id, at: clock.now()) else { throw CatalogError.notFound("Source", id) }
    }

    /// `POST /sources/{id}/fetch`: a fetch queued now, whatever the schedule.
    public func fetchNow(_ id: String, by principal: Principal) async throws -> SourceFetch {
        try principal.require(.admin, .partner)
        let source = try await get(id, by: principal)
        if source.settings.maskedAuth != nil, secrets == nil {
            throw CatalogError.conflict("This source has credentials and the server has no CATALOG_SECRET_KEY to open them.")
        }
        guard let fetch = try await store.queueFetch(sourceID: id, at: clock.now()) else { throw CatalogError.notFound("Source", id) }
        return fetch
    }

    public func fetches(_ id: String, _ page: PageRequest, by principal: Principal) async throws -> Page<SourceFetch> {
        _ = try await get(id, by: principal)
        return try await store.fetches(sourceID: id, page)
    }

    static func sees(_ source: Source, _ principal: Principal) -> Bool {
        principal.role != .partner || source.partnerName == principal.partner?.partnerName
    }

    static let creatable: Set<String> = [
        "partner_name", "name", "kind", "url", "format", "feed_type", "mode", "schedule", "auth", "mapping", "api", "max_requests_per_minute",
    ]

    static func checkFields(_ body: [String: JSONValue], allowed: Set<String>) throws {
        if let unknown = body.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw CatalogError.validation("Unknown field '\(unknown)'.", parameter: unknown)
        }
    }

    private func owner(_ given: JSONValue?, _ principal: Principal) async throws -> String {
        var asked: String?
        switch given {
        case nil, .null?: break
        case .string(let name)?: asked = name
        default: throw CatalogError.validation("partner_name must be a text.", parameter: "partner_name")
        }
        if principal.role == .partner {
            guard let own = principal.partner?.partnerName else { throw CatalogError.forbidden("This key is not bound to a partner.") }
            if let asked, asked != own { throw CatalogError.forbidden("This key may register sources for partner '\(own)' only.") }
            return own
        }
        guard let asked, !asked.isEmpty else {
            throw CatalogError.validation("partner_name is required for an admin's source.", parameter: "partner_name")
        }
        try PartnerName.validate(asked)
        if let partner = try await store.partner(name: asked), partner.status == .suspended {
            throw CatalogError.forbidden("Partner '\(asked)' is suspended.")
        }
        return asked
    }

    /// Applies the request's fields to `settings`; returns the sealed credentials when `auth` was given
    /// (`.some(nil)` when it was null).
    private func apply(_ body: [String: JSONValue], to settings: inout SourceSettings) async throws -> String?? {
        func text(_ key: String, max: Int = 200) throws -> String? {
            guard let value = body[key] else { return nil }
            guard case .string(let text) = value, !text.isEmpty, text.count <= max else {
                throw CatalogError.validation("\(key) must be a text of 1–\(max) characters.", parameter: key)
            }
            return text
        }
        func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) throws -> T? where T.RawValue == String {
            guard let raw = try text(key) else { return nil }
            guard let value = T(rawValue: raw.lowercased()) else {
                throw CatalogError.validation(
                    "\(key) must be one of: \(T.allCases.map(\.rawValue).joined(separator: ", ")).", parameter: key, value: raw)
            }
            return value
        }
        var newURL: String?
        if let url = body["url"] {
            guard case .string(let raw) = url else { throw CatalogError.validation("url must be a text.", parameter: "url") }
            settings.url = try Self.wellFormedURL(raw)
            newURL = settings.url
        }
        if let name = try text("name") { settings.name = name }
        if settings.name.isEmpty { settings.name = URLComponents(string: settings.url)?.host ?? "source" }
        if let kind = try choice("kind", SourceKind.self) { settings.kind = kind }
        if let format = body["format"] {
            settings.format = format == .null ? nil : try choice("format", FeedFormat.self)
        }
        if let feedType = try choice("feed_type", FeedType.self) { settings.feedType = feedType }
        if let mode = try choice("mode", FeedMode.self) { settings.mode = mode }
        if settings.feedType == .orders && settings.mode == .full {
            throw CatalogError.validation("mode=full applies to products sources only.", parameter: "mode", value: "full")
        }
        if let schedule = body["schedule"] { settings.schedule = try SourceSchedule.parse(schedule) }
        if let api = body["api"] { settings.api = try SourceAPI.parse(api) }
        if settings.kind == .file && settings.api != nil {
            throw CatalogError.validation("api applies to sources of kind api only.", parameter: "api")
        }
        if let mapping = body["mapping"] {
            settings.mapping = try SourceMapping.parse(mapping, feedType: settings.feedType)
        } else if let mapping = settings.mapping {
            // A changed feed type must still have every mapped column.
            settings.mapping = try SourceMapping.parse(try JSONDecoder().decode(JSONValue.self, from: Data(mapping.json.utf8)), feedType: settings.feedType)
        }
        if let given = body["max_requests_per_minute"] {
            guard case .int(let limit) = given, (1...Self.maxRequestsPerMinute).contains(limit) else {
                throw CatalogError.validation(
                    "max_requests_per_minute must be a whole number from 1 to \(Self.maxRequestsPerMinute).", parameter: "max_requests_per_minute")
            }
            settings.maxRequestsPerMinute = Int(limit)
        }
        // Last: it may resolve the host, and every cheaper mistake is named first.
        if let newURL, let host = URLComponents(string: newURL)?.host { try await targets.check(host: host) }
        guard let authValue = body["auth"] else { return nil }
        guard let auth = try SourceAuth.parse(authValue) else {
            settings.maskedAuth = nil
            return .some(nil)
        }
        guard let secrets else {
            throw CatalogError.validation(
                "Credentials are kept encrypted with the server's CATALOG_SECRET_KEY, which is not set: set it and restart, or leave auth out.",
                parameter: "auth")
        }
        settings.maskedAuth = auth.masked
        return .some(try secrets.seal(auth.json))
    }

    static func wellFormedURL(_ raw: String) throws -> String {
        guard raw.utf8.count <= 2048, let components = URLComponents(string: raw), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty, components.user == nil, components.password == nil
        else {
            throw CatalogError.validation(
                "url must be an http(s) URL with a host (credentials go in auth, not in the URL).", parameter: "url",
                value: String(raw.prefix(200)))
        }
        return raw
    }
}
