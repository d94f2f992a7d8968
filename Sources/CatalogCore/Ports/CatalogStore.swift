import struct Foundation.Date

/// Database-counter identifiers, unique across processes; gaps are allowed.
public protocol IDAllocator: Sendable {
    func nextID(_ kind: IDKind) async throws -> String
}

public protocol PartnerRepository: Sendable {
    /// Throws `CONFLICT` when the name is taken.
    func createPartner(name: String, displayName: String, at: Date) async throws -> Partner
    func partner(id: String) async throws -> Partner?
    func partner(name: String) async throws -> Partner?
    func listPartners(_ page: PageRequest) async throws -> Page<Partner>
    func setPartnerStatus(id: String, _ status: PartnerStatus) async throws -> Partner?
}

public protocol APIKeyRepository: Sendable {
    func createKey(hash: String, role: Role, partnerID: String?, label: String?, at: Date) async throws -> APIKeyRecord
    /// The live (not revoked) key with this hash, and its partner if it is bound to one.
    func activeKey(hash: String) async throws -> (APIKeyRecord, Partner?)?
    func listKeys() async throws -> [APIKeyRecord]
    /// Returns the key as revoked, or nil when there is no such key.
    func revokeKey(id: String, at: Date) async throws -> APIKeyRecord?
    func countKeys() async throws -> Int

    /// Every live key with its hash and partner, for a node's in-memory key table.
    func activeKeys() async throws -> [ActiveKey]

    /// A number that changes whenever a key is created or revoked or a partner's status changes, in any
    /// process: nodes poll it to refresh their key tables.
    func credentialsVersion() async throws -> Int64
}

public struct ActiveKey: Sendable, Equatable {
    public var hash: String
    public var record: APIKeyRecord
    public var partner: Partner?

    public init(hash: String, record: APIKeyRecord, partner: Partner?) {
        self.hash = hash
        self.record = record
        self.partner = partner
    }
}

public protocol FeedRepository: Sendable {
    /// Persists the feed with its submission job (completed) and validation job (queued), and the
    /// idempotency record, all in one transaction. Throws `IDEMPOTENCY_CONFLICT` when the
    /// idempotency key was taken meanwhile.
    func createFeed(_ feed: NewFeed) async throws -> Feed
    func feed(id: String) async throws -> Feed?
    func listFeeds(_ filter: FeedFilter, _ page: PageRequest) async throws -> Page<Feed>
    func idempotencyRecord(partnerName: String, key: String, notBefore: Date) async throws -> IdempotencyRecord?
}

public protocol JobRepository: Sendable {
    func job(id: String) async throws -> Job?
    func listJobs(_ filter: JobFilter, _ page: PageRequest) async throws -> Page<Job>
    /// How many jobs there are of each type and status, for `/metrics`.
    func jobCounts() async throws -> [JobCount]
}

public struct JobCount: Sendable, Equatable {
    public var jobType: JobType
    public var status: JobStatus
    public var count: Int

    public init(jobType: JobType, status: JobStatus, count: Int) {
        self.jobType = jobType
        self.status = status
        self.count = count
    }
}

public protocol StoreHealth: Sendable {
    /// Throws when the database does not answer.
    func ping() async throws
}

/// Everything the use cases need from the primary database.
public typealias CatalogStore = IDAllocator & PartnerRepository & APIKeyRepository & FeedRepository & JobRepository & TaskQueue & ValidationJobs & ProductLoader & ProductChangeLog & OrderLoader
    & StoreHealth & OrderRepository & AnalyticsQueries
    & DashboardSessionRepository & SkuUnitsQueries & EventLog & WebhookRepository & SourceRepository
