/// Reading feeds and their raw bytes; partner keys see their own partner's feeds only.
public struct FeedQueries: Sendable {
    let store: any FeedRepository
    let objects: any ObjectStore

    public init(store: any FeedRepository, objects: any ObjectStore) {
        self.store = store
        self.objects = objects
    }

    public func get(_ id: String, by principal: Principal) async throws -> Feed {
        try principal.require(.partner, .analyst, .admin)
        guard let feed = try await store.feed(id: id), principal.canSee(partnerName: feed.partnerName) else {
            throw CatalogError.notFound("Feed", id)
        }
        return feed
    }

    public func list(_ filter: FeedFilter, _ page: PageRequest, by principal: Principal) async throws -> Page<Feed> {
        try principal.require(.partner, .analyst, .admin)
        var filter = filter
        if let own = principal.confinedPartnerName {
            if let asked = filter.partnerName, asked != own { return Page(items: [], nextAfter: nil) }
            filter.partnerName = own
        }
        return try await store.listFeeds(filter, page)
    }

    public func raw(_ id: String, by principal: Principal) async throws -> (Feed, ObjectReadStream) {
        let feed = try await get(id, by: principal)
        let stream = try await FeedUploadSession.mapStoreErrors { try await objects.read(key: feed.rawFileKey) }
        return (feed, stream)
    }
}
