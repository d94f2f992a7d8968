import CatalogCore
import CatalogTestSupport
import Foundation
import NIOCore
import Testing

@Suite struct FeedUploadServiceTests {
    /// An object store that must never be reached.
    struct UnreachableObjectStore: ObjectStore {
        var bucket: String { "none" }
        func makeWriter(key: String, contentType: String) async throws -> any ObjectWriter { Issue.record("writer opened"); throw ObjectStoreError.unavailable("") }
        func read(key: String) async throws -> ObjectReadStream { throw ObjectStoreError.notFound(key) }
        func metadata(key: String) async throws -> ObjectMetadata? { nil }
        func discard(key: String) async {}
        func ping() async throws {}
    }

    @Test func declaredLengthOverTheLimitIsRefusedBeforeReading() async throws {
        let service = FeedUploadService(
            store: UnusedStore(), objects: UnreachableObjectStore(), clock: SystemClock(), maxUploadBytes: 1 << 30)
        let admin = Principal(keyID: "k", role: .admin, partner: nil)
        await #expect(throws: CatalogError.self) {
            _ = try await service.begin(UploadRequest(partnerName: "acme", declaredLength: 2 << 30), by: admin)
        }
        do {
            _ = try await service.begin(UploadRequest(partnerName: "acme", declaredLength: 2 << 30), by: admin)
        } catch let error as CatalogError {
            #expect(error.code == .payloadTooLarge)
            #expect(error.details["max_bytes"] == .int(1 << 30))
        }
    }

    @Test(arguments: [Role.reader, .analyst])
    func onlyPartnersAndAdminsUpload(_ role: Role) async throws {
        let service = FeedUploadService(store: UnusedStore(), objects: UnreachableObjectStore(), clock: SystemClock(), maxUploadBytes: 10)
        do {
            _ = try await service.begin(UploadRequest(partnerName: "acme"), by: Principal(keyID: "k", role: role, partner: nil))
            Issue.record("upload allowed for \(role)")
        } catch let error as CatalogError {
            #expect(error.code == .forbidden)
        }
    }
}

/// A store the code under test must not reach.
struct UnusedStore: CatalogStore {
    func fail<T>() throws -> T { Issue.record("store reached"); throw CatalogError(.internal, "unused") }
    func nextID(_ kind: IDKind) async throws -> String { try fail() }
    func createPartner(name: String, displayName: String, at: Date) async throws -> Partner { try fail() }
    func partner(id: String) async throws -> Partner? { try fail() }
    func partner(name: String) async throws -> Partner? { try fail() }
    func listPartners(_ page: PageRequest) async throws -> Page<Partner> { try fail() }
    func setPartnerStatus(id: String, _ status: PartnerStatus) async throws -> Partner? { try fail() }
    func createKey(hash: String, role: Role, partnerID: String?, label: String?, at: Date) async throws -> APIKeyRecord { try fail() }
    func activeKey(hash: String) async throws -> (APIKeyRecord, Partner?)? { try fail() }
    func listKeys() async throws -> [APIKeyRecord] { try fail() }
    func revokeKey(id: String, at: Date) async throws -> APIKeyRecord? { try fail() }
    func countKeys() async throws -> Int { try fail() }
    func activeKeys() async throws -> [ActiveKey] { try fail() }
    func credentialsVersion() async throws -> Int64 { try fail() }
    func createFeed(_ feed: NewFeed) async throws -> Feed { try fail() }
    func feed(id: String) async throws -> Feed? { try fail() }
    func listFeeds(_ filter: FeedFilter, _ page: PageRequest) async throws -> Page<Feed> { try fail() }
    func idempotencyRecord(partnerName: String, key: String, notBefore: Date) async throws -> IdempotencyRecord? { try fail() }
    func job(id: String) async throws -> Job? { try fail() }
    func listJobs(_ filter: JobFilter, _ page: PageRequest) async throws -> Page<Job> { try fail() }
    func jobCounts() async throws -> [JobCount] { try fail() }
    func ping() async throws {}
    func requestRun(jobID: String, at: Date) async throws -> Job? { try fail() }
    func startAttempt(jobID: String, lease: TaskLease, attempt: Int, now: Date) async throws -> (Job, Feed)? { try fail() }
    func recordProgress(jobID: String, lease: TaskLease, rowsRead: Int64) async throws { try fail() as Void }
    func finishAttempt(jobID: String, lease: TaskLease, _ outcome: JobOutcome, now: Date) async throws -> Bool { try fail() }
    func enqueue(_ tasks: [NewTask]) async throws -> Int { try fail() }
    func claim(kinds: Set<TaskKind>, owner: String, now: Date, leaseFor: TimeInterval) async throws -> ClaimedTask? { try fail() }
    func heartbeat(_ lease: TaskLease, now: Date, leaseFor: TimeInterval) async throws -> Bool { try fail() }
    func finish(_ lease: TaskLease, _ outcome: TaskOutcome, now: Date) async throws -> Bool { try fail() }
    func resetAttempt(jobID: String) async throws { try fail() as Void }
    func releaseSpaceAfterFailure() async { Issue.record("store reached") }
    func stage(jobID: String, partnerID: String, _ batch: [StagedProduct]) async throws -> [Int] { try fail() }
    func unchangedProducts(partnerID: String, _ fingerprints: [ProductFingerprint]) async throws -> [Int64?] { try fail() }
    func recordDiagnostics(jobID: String, _ diagnostics: [RowDiagnostic]) async throws { try fail() as Void }
    func merge(jobID: String, feed: Feed, now: Date, completing completion: AttemptCompletion) async throws -> MergeCounts { try fail() }
    func diagnostics(jobID: String, _ page: PageRequest) async throws -> Page<RowDiagnostic> { try fail() }
    func stageOrderLines(jobID: String, _ batch: [StagedOrderLine]) async throws -> [Int] { try fail() }
    func mergeOrderLines(jobID: String, feed: Feed, now: Date, completing completion: AttemptCompletion) async throws -> MergeCounts { try fail() }
}
