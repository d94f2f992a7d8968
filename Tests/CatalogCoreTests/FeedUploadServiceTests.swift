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
            store: UnusedFeedStore(), objects: UnreachableObjectStore(), clock: SystemClock(), maxUploadBytes: 1 << 30)
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
        let service = FeedUploadService(store: UnusedFeedStore(), objects: UnreachableObjectStore(), clock: SystemClock(), maxUploadBytes: 10)
        do {
            _ = try await service.begin(UploadRequest(partnerName: "acme"), by: Principal(keyID: "k", role: role, partner: nil))
            Issue.record("upload allowed for \(role)")
        } catch let error as CatalogError {
            #expect(error.code == .forbidden)
        }
    }
}

/// The upload's store, failing by default: the refusals under test must not reach it.
struct UnusedFeedStore: FeedRepository & PartnerRepository & IDAllocator {
    func fail<T>() throws -> T { Issue.record("store reached"); throw CatalogError(.internal, "unused") }
    func nextID(_ kind: IDKind) async throws -> String { try fail() }
    func createPartner(name: String, displayName: String, at: Date) async throws -> Partner { try fail() }
    func partner(id: String) async throws -> Partner? { try fail() }
    func partner(name: String) async throws -> Partner? { try fail() }
    func listPartners(_ page: PageRequest) async throws -> Page<Partner> { try fail() }
    func setPartnerStatus(id: String, _ status: PartnerStatus) async throws -> Partner? { try fail() }
    func createFeed(_ feed: NewFeed) async throws -> Feed { try fail() }
    func feed(id: String) async throws -> Feed? { try fail() }
    func listFeeds(_ filter: FeedFilter, _ page: PageRequest) async throws -> Page<Feed> { try fail() }
    func idempotencyRecord(partnerName: String, key: String, notBefore: Date) async throws -> IdempotencyRecord? { try fail() }
}
