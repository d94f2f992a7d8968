import CatalogCore
import Foundation

/// Behaviour every `CatalogStore` adapter must have; each adapter's tests call these with a fresh store.
public enum CatalogStoreContract {
    typealias Failure = ObjectStoreContract.Failure

    static func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw Failure(message()) }
    }

    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    public static func newFeed(_ feedID: String, partner: String, idempotencyKey: String? = nil, fingerprint: String = "f") -> NewFeed {
        NewFeed(
            feedID: feedID, partnerName: partner, createPartnerIfMissing: true, feedType: .products, mode: .delta,
            fileName: "a.csv", contentType: "text/csv", sizeBytes: 10, sha256: String(repeating: "0", count: 64),
            uploadedAt: now, rawFileBucket: "local", rawFileKey: "raw/partners/\(partner)/feeds/\(feedID)/a.csv",
            idempotency: idempotencyKey.map {
                IdempotencyRecord(partnerName: partner, key: $0, fingerprint: fingerprint, feedID: feedID, createdAt: now)
            })
    }

    public static func idsAreSequentialPerKind(_ store: any CatalogStore) async throws {
        let first = try await store.nextID(.feed)
        let second = try await store.nextID(.feed)
        let job = try await store.nextID(.submissionJob)
        try check(first == "FD00001" && second == "FD00002", "feed ids \(first) \(second)")
        try check(job == "JS00001", "job id \(job)")
    }

    public static func idsAreUniqueUnderConcurrency(_ store: any CatalogStore) async throws {
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<200 { group.addTask { try await store.nextID(.order) } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        try check(Set(ids).count == 200, "duplicates among \(ids.count) ids")
        try check(Set(ids) == Set((1...200).map { IDKind.order.format(Int64($0)) }), "ids are not 1…200")
    }

    public static func partnersAreUniqueByName(_ store: any CatalogStore) async throws {
        let acme = try await store.createPartner(name: "acme", displayName: "Acme", at: now)
        try check(acme.partnerID == "PT00001" && acme.status == .active, "\(acme)")
        do {
            _ = try await store.createPartner(name: "acme", displayName: "Again", at: now)
            throw Failure("duplicate partner name accepted")
        } catch let error as CatalogError where error.code == .conflict {}
        try check(try await store.partner(name: "acme") == acme, "lookup by name")
        try check(try await store.partner(id: "PT00001") == acme, "lookup by id")
        let suspended = try await store.setPartnerStatus(id: "PT00001", .suspended)
        try check(suspended?.status == .suspended, "suspend")
        try check(try await store.setPartnerStatus(id: "PT09999", .active) == nil, "unknown partner")
    }

    public static func partnersPageInOrder(_ store: any CatalogStore) async throws {
        for index in 0..<5 { _ = try await store.createPartner(name: "p\(index)x", displayName: "P", at: now) }
        let first = try await store.listPartners(PageRequest(limit: 2))
        try check(first.items.map(\.partnerName) == ["p0x", "p1x"] && first.nextAfter != nil, "first page")
        let second = try await store.listPartners(PageRequest(limit: 2, after: first.nextAfter))
        let third = try await store.listPartners(PageRequest(limit: 2, after: second.nextAfter))
        try check(second.items.map(\.partnerName) == ["p2x", "p3x"], "second page")
        try check(third.items.map(\.partnerName) == ["p4x"] && third.nextAfter == nil, "last page")
    }

    public static func keysAuthenticateUntilRevoked(_ store: any CatalogStore) async throws {
        let partner = try await store.createPartner(name: "keyed", displayName: "K", at: now)
        let key = try await store.createKey(hash: "h1", role: .partner, partnerID: partner.partnerID, label: "l", at: now)
        guard let (record, boundPartner) = try await store.activeKey(hash: "h1") else { throw Failure("key not found") }
        try check(record.keyID == key.keyID && record.role == .partner && boundPartner == partner, "\(record)")
        try check(try await store.countKeys() == 1, "count")
        let revoked = try await store.revokeKey(id: key.keyID, at: now)
        try check(revoked?.revokedAt != nil, "revoked")
        try check(try await store.activeKey(hash: "h1") == nil, "revoked key still active")
        try check(try await store.revokeKey(id: "KY09999", at: now) == nil, "unknown key")
    }

    public static func feedsAreCreatedWithTheirJobs(_ store: any CatalogStore) async throws {
        let feedID = try await store.nextID(.feed)
        let feed = try await store.createFeed(newFeed(feedID, partner: "fresh"))
        try check(feed.feedID == "FD00001" && feed.partnerID == "PT00001", "\(feed)")
        try check(feed.submissionJobID == "JS00001" && feed.validationJobID == "JV00001", "job ids")
        try check(feed.status == .uploaded && feed.validationStatus == .queued, "statuses")
        let submission = try await store.job(id: "JS00001")
        let validation = try await store.job(id: "JV00001")
        try check(submission?.status == .completed && submission?.jobType == .submission, "JS \(String(describing: submission))")
        try check(validation?.status == .queued && validation?.feedID == feedID, "JV \(String(describing: validation))")
        try check(try await store.feed(id: feedID) == feed, "read back")
    }

    public static func feedsListNewestFirstWithFilters(_ store: any CatalogStore) async throws {
        for partner in ["a-one", "b-two", "a-one"] {
            let id = try await store.nextID(.feed)
            _ = try await store.createFeed(newFeed(id, partner: partner))
        }
        let all = try await store.listFeeds(FeedFilter(), PageRequest(limit: 10))
        try check(all.items.map(\.feedID) == ["FD00003", "FD00002", "FD00001"], "order \(all.items.map(\.feedID))")
        let mine = try await store.listFeeds(FeedFilter(partnerName: "a-one"), PageRequest(limit: 1))
        try check(mine.items.map(\.feedID) == ["FD00003"] && mine.nextAfter != nil, "filtered page")
        let next = try await store.listFeeds(FeedFilter(partnerName: "a-one"), PageRequest(limit: 1, after: mine.nextAfter))
        try check(next.items.map(\.feedID) == ["FD00001"], "second filtered page")
        let jobs = try await store.listJobs(JobFilter(jobType: .validation, partnerName: "a-one"), PageRequest(limit: 10))
        try check(jobs.items.map(\.jobID) == ["JV00003", "JV00001"], "jobs \(jobs.items.map(\.jobID))")
        let byFeed = try await store.listJobs(JobFilter(feedID: "FD00002"), PageRequest(limit: 10))
        try check(byFeed.items.map(\.jobID) == ["JV00002", "JS00002"], "jobs by feed \(byFeed.items.map(\.jobID))")
    }

    public static func idempotencyKeysAreUniquePerPartner(_ store: any CatalogStore) async throws {
        let first = try await store.nextID(.feed)
        _ = try await store.createFeed(newFeed(first, partner: "idem", idempotencyKey: "k-1", fingerprint: "x"))
        let record = try await store.idempotencyRecord(partnerName: "idem", key: "k-1", notBefore: now.addingTimeInterval(-60))
        try check(record?.feedID == first && record?.fingerprint == "x", "record \(String(describing: record))")
        try check(try await store.idempotencyRecord(partnerName: "idem", key: "k-1", notBefore: now.addingTimeInterval(1)) == nil,
                  "expired record still returned")
        let second = try await store.nextID(.feed)
        do {
            _ = try await store.createFeed(newFeed(second, partner: "idem", idempotencyKey: "k-1"))
            throw Failure("reused idempotency key accepted")
        } catch let error as CatalogError where error.code == .idempotencyConflict {}
        try check(try await store.feed(id: second) == nil, "the conflicting feed was half-written")
        let third = try await store.nextID(.feed)
        _ = try await store.createFeed(newFeed(third, partner: "other", idempotencyKey: "k-1"))
    }
}
