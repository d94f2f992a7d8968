import CoreMetrics
import Crypto
import Foundation
import NIOCore

/// One upload in flight: `write` each chunk of the body, then `finish`, or `abort` on any failure.
public final class FeedUploadSession {
    enum Target {
        /// The object is opened lazily on the first chunk, once gzip or plain is known.
        case pending(feedID: String)
        case writing(feedID: String, key: String, fileName: String, writer: any ObjectWriter)
        /// The idempotency key was used before: hash the body only, to compare.
        case replayCheck(IdempotencyRecord)
        case closed
    }

    private let service: FeedUploadService
    private let plan: UploadPlan
    private var target: Target
    private let hasher = ConcurrentSHA256()
    private let inspector: UploadInspection
    private(set) public var bytesReceived: Int64 = 0

    init(service: FeedUploadService, plan: UploadPlan, target: Target) {
        self.service = service
        self.plan = plan
        self.target = target
        self.inspector = UploadInspection(
            FeedContentInspector(
                feedType: plan.feedType, format: plan.format, maxDecodedBytes: service.maxUploadBytes, checksColumns: plan.mappingJSON == nil))
    }

    public func write(_ chunk: ByteBuffer) async throws {
        guard chunk.readableBytes > 0 else { return }
        do {
            bytesReceived += Int64(chunk.readableBytes)
            if bytesReceived > service.maxUploadBytes { throw FeedUploadService.tooLarge(service.maxUploadBytes) }
            await hasher.update(chunk)
            try await inspector.consume(chunk)
            if case .pending(let feedID) = target {
                try await open(feedID: feedID, gzip: inspector.isGzip || Self.looksGzip(chunk))
            }
            if case .writing(_, _, _, let writer) = target {
                try await Self.mapStoreErrors { try await writer.write(chunk) }
            }
        } catch {
            await abort()
            throw error
        }
    }

    /// A fetched feed: nil, with nothing stored, when its bytes hash to `previous` (the last fetch's).
    public func finish(unlessSHA256 previous: String?) async throws -> (feed: Feed?, sha256: String) {
        do {
            return (try await finish(skipping: previous).feed, sha256 ?? "")
        } catch is SameContent {
            return (nil, previous ?? "")
        }
    }

    public func finish() async throws -> UploadOutcome {
        try await finish(skipping: nil)
    }

    private struct SameContent: Error {}
    /// The SHA-256 of what was received, once `finish` has read it all.
    private(set) public var sha256: String?

    private func finish(skipping previous: String?) async throws -> UploadOutcome {
        do {
            _ = try inspector.finish()
            let sha256 = Hex.encode(await hasher.finalize())
            self.sha256 = sha256
            if let previous, previous == sha256 { throw SameContent() }
            // The format only when it is not CSV, so that uploads recorded before formats existed still match.
            let format = plan.format == .csv ? "" : "|\(plan.format.rawValue)"
            let fingerprint = Hex.encode(SHA256.hash(data: Array("\(sha256)|\(plan.feedType.rawValue)|\(plan.mode.rawValue)\(format)".utf8)))
            switch target {
            case .replayCheck(let earlier):
                target = .closed
                return try await replay(earlier, fingerprint: fingerprint)
            case .writing(let feedID, let key, let fileName, let writer):
                target = .closed
                return try await record(feedID, key, fileName, writer, sha256: sha256, fingerprint: fingerprint)
            case .pending, .closed:
                throw CatalogError(.internal, "The upload ended before any data was stored.")
            }
        } catch {
            await abort()
            throw error
        }
    }

    public func abort() async {
        hasher.cancel()
        if case .writing(_, _, _, let writer) = target { await writer.abort() }
        target = .closed
    }

    private func open(feedID: String, gzip: Bool) async throws {
        let fileName = RawFileKey.sanitize(plan.requestedFileName, gzip: gzip, format: plan.format)
        let key = RawFileKey.key(partnerName: plan.partnerName, feedID: feedID, fileName: fileName)
        let writer = try await Self.mapStoreErrors {
            try await service.objects.makeWriter(key: key, contentType: gzip ? "application/gzip" : plan.format.mediaType)
        }
        target = .writing(feedID: feedID, key: key, fileName: fileName, writer: writer)
    }

    private func record(
        _ feedID: String, _ key: String, _ fileName: String, _ writer: any ObjectWriter, sha256: String, fingerprint: String
    ) async throws -> UploadOutcome {
        do {
            _ = try await Self.mapStoreErrors { try await writer.commit(sha256: sha256) }
        } catch {
            await writer.abort()
            throw error
        }
        let now = service.clock.now()
        let newFeed = NewFeed(
            feedID: feedID, partnerName: plan.partnerName, createPartnerIfMissing: plan.createPartner,
            feedType: plan.feedType, mode: plan.mode, fileName: fileName,
            contentType: inspector.isGzip ? "application/gzip" : plan.format.mediaType, sizeBytes: bytesReceived, sha256: sha256,
            uploadedAt: now, rawFileBucket: service.objects.bucket, rawFileKey: key,
            idempotency: plan.idempotencyKey.map {
                IdempotencyRecord(partnerName: plan.partnerName, key: $0, fingerprint: fingerprint, feedID: feedID, createdAt: now)
            },
            runValidation: service.autoRun || plan.sourceID != nil, format: plan.format, sourceID: plan.sourceID,
            mappingJSON: plan.mappingJSON)
        do {
            let feed = try await service.store.createFeed(newFeed)
            await writer.release()
            Counter(label: "catalog_upload_bytes").increment(by: Int(bytesReceived))
            return .created(feed)
        } catch {
            await service.objects.discard(key: key)
            await writer.release()
            if let error = error as? CatalogError, error.code == .idempotencyConflict, let idempotencyKey = plan.idempotencyKey,
               let winner = try await service.store.idempotencyRecord(partnerName: plan.partnerName, key: idempotencyKey, notBefore: .distantPast)
            {
                return try await replay(winner, fingerprint: fingerprint)
            }
            throw error
        }
    }

    private func replay(_ earlier: IdempotencyRecord, fingerprint: String) async throws -> UploadOutcome {
        guard earlier.fingerprint == fingerprint else {
            throw CatalogError(
                .idempotencyConflict,
                "Idempotency-Key '\(earlier.key)' was already used for a different upload (feed \(earlier.feedID)).",
                details: ["feed_id": .string(earlier.feedID)])
        }
        guard let feed = try await service.store.feed(id: earlier.feedID) else {
            throw CatalogError.notFound("Feed", earlier.feedID)
        }
        return .replayed(feed)
    }

    private static func looksGzip(_ chunk: ByteBuffer) -> Bool {
        chunk.getBytes(at: chunk.readerIndex, length: min(2, chunk.readableBytes)) == [0x1F, 0x8B]
    }

    static func mapStoreErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ObjectStoreError {
            throw error.catalogError
        }
    }
}
