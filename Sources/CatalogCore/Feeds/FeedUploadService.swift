import Crypto
import Foundation
import NIOCore

/// Upload use case: validate the request, stream the body into the object store while hashing
/// and inspecting it, then record feed and jobs. A rejected or failed upload leaves nothing behind.
public struct FeedUploadService: Sendable {
    public static let idempotencyWindow: TimeInterval = 24 * 3600
    public static let maxIdempotencyKeyLength = 255

    let store: any FeedRepository & PartnerRepository & IDAllocator
    let objects: any ObjectStore
    let clock: any CatalogClock
    let maxUploadBytes: Int64
    /// Queue each feed's validation job at once (`CATALOG_AUTO_RUN`).
    let autoRun: Bool

    public init(store: any FeedRepository & PartnerRepository & IDAllocator, objects: any ObjectStore, clock: any CatalogClock, maxUploadBytes: Int64, autoRun: Bool = false) {
        self.store = store
        self.objects = objects
        self.clock = clock
        self.maxUploadBytes = maxUploadBytes
        self.autoRun = autoRun
    }

    /// Uploads a whole body in one call (CLI, tests).
    public func upload(
        _ request: UploadRequest, by principal: Principal, body: some AsyncSequence<ByteBuffer, any Error>
    ) async throws -> UploadOutcome {
        let session = try await begin(request, by: principal)
        do {
            for try await chunk in body { try await session.write(chunk) }
            return try await session.finish()
        } catch {
            await session.abort()
            throw error
        }
    }

    /// What can be checked before a multipart body is read (its fields come in the body): the role,
    /// and a partner key's partner not suspended.
    public func checkUploader(_ principal: Principal) async throws {
        try principal.require(.partner, .admin)
        if principal.role == .partner { _ = try await resolvePartner(nil, principal) }
    }

    /// Checks who may upload what, then opens the object for streaming.
    public func begin(_ request: UploadRequest, by principal: Principal) async throws -> FeedUploadSession {
        try principal.require(.partner, .admin)
        let feedType = try Self.parse(request.feedType, default: FeedType.products, parameter: "feed_type")
        let mode = try Self.parse(request.mode, default: FeedMode.delta, parameter: "mode")
        if feedType == .orders && mode == .full {
            throw CatalogError.validation("mode=full applies to products feeds only.", parameter: "mode", value: "full")
        }
        if let declared = request.declaredLength, declared > maxUploadBytes {
            throw Self.tooLarge(maxUploadBytes)
        }
        let idempotencyKey = try Self.validIdempotencyKey(request.idempotencyKey)
        let (partnerName, partnerExists) = try await resolvePartner(request.partnerName, principal)

        let plan = UploadPlan(
            partnerName: partnerName, createPartner: !partnerExists, feedType: feedType, mode: mode,
            requestedFileName: request.fileName, idempotencyKey: idempotencyKey,
            format: FeedFormat.of(contentType: request.contentType, fileName: request.fileName))
        if let idempotencyKey, let earlier = try await store.idempotencyRecord(
            partnerName: partnerName, key: idempotencyKey, notBefore: clock.now().addingTimeInterval(-Self.idempotencyWindow))
        {
            return FeedUploadSession(service: self, plan: plan, target: .replayCheck(earlier))
        }
        let feedID = try await store.nextID(.feed)
        return FeedUploadSession(service: self, plan: plan, target: .pending(feedID: feedID))
    }

    /// A source's fetched bytes, stored and recorded as an upload is (`origin: source`); its
    /// validation job is queued at once. Throws `FORBIDDEN` when the partner is suspended.
    public func beginFetched(
        partnerName: String, feedType: FeedType, mode: FeedMode, fileName: String, format: FeedFormat, sourceID: String,
        mappingJSON: String?
    ) async throws -> FeedUploadSession {
        let partner = try await store.partner(name: partnerName)
        if partner?.status == .suspended {
            throw CatalogError.forbidden("Partner '\(partnerName)' is suspended; its sources are not fetched.")
        }
        var plan = UploadPlan(
            partnerName: partnerName, createPartner: partner == nil, feedType: feedType, mode: mode, requestedFileName: fileName,
            idempotencyKey: nil, format: format)
        plan.sourceID = sourceID
        plan.mappingJSON = mappingJSON
        return FeedUploadSession(service: self, plan: plan, target: .pending(feedID: try await store.nextID(.feed)))
    }

    private func resolvePartner(_ requested: String?, _ principal: Principal) async throws -> (String, Bool) {
        let name: String
        let partner: Partner?
        if principal.role == .partner {
            guard let own = principal.partner else { throw CatalogError.forbidden("This key is not bound to a partner.") }
            if let requested, !requested.isEmpty, requested != own.partnerName {
                throw CatalogError.forbidden("This key may upload for partner '\(own.partnerName)' only.")
            }
            name = own.partnerName
            partner = try await store.partner(id: own.partnerID)
        } else {
            guard let requested, !requested.isEmpty else {
                throw CatalogError.validation("partner_name is required for admin uploads.", parameter: "partner_name")
            }
            try PartnerName.validate(requested)
            name = requested
            partner = try await store.partner(name: requested)
        }
        if partner?.status == .suspended {
            throw CatalogError.forbidden("Partner '\(name)' is suspended and may not upload feeds.")
        }
        return (name, partner != nil)
    }

    /// Upload parameters are matched case-insensitively.
    static func parse<T: RawRepresentable & CaseIterable>(_ raw: String?, default value: T, parameter: String) throws -> T
    where T.RawValue == String {
        guard let raw, !raw.isEmpty else { return value }
        do {
            return try EnumParameter.parse(raw.lowercased(), parameter: parameter) ?? value
        } catch let error as CatalogError {
            var error = error
            error.details["value"] = .string(String(raw.prefix(200)))
            throw error
        }
    }

    static func validIdempotencyKey(_ key: String?) throws -> String? {
        guard let key else { return nil }
        guard !key.isEmpty, key.utf8.count <= maxIdempotencyKeyLength,
              key.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F })
        else {
            throw CatalogError.validation(
                "Idempotency-Key must be 1–255 printable ASCII characters.", parameter: "Idempotency-Key", value: key)
        }
        return key
    }

    static func tooLarge(_ limit: Int64) -> CatalogError {
        CatalogError(.payloadTooLarge, "The upload exceeds the maximum of \(limit) bytes.", details: ["max_bytes": .int(limit)])
    }
}

struct UploadPlan: Sendable {
    var partnerName: String
    var createPartner: Bool
    var feedType: FeedType
    var mode: FeedMode
    var requestedFileName: String?
    var idempotencyKey: String?
    var format: FeedFormat
    var sourceID: String?
    var mappingJSON: String?
}
