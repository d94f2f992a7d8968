import CatalogCore
import Foundation
import HTTPTypes
import Hummingbird

struct FeedRoutes {
    let catalog: Catalog
    let spoolDirectory: String
    let slots: UploadSlots

    func register(on router: Router<CatalogRequestContext>) {
        router.post("/feeds/upload") { request, context in try await upload(request, context) }
        router.get("/feeds") { request, context in try await list(request, context) }
        router.get("/feeds/:feed_id") { request, context in
            let feed = try await catalog.feeds.get(try context.parameters.require("feed_id"), by: try context.requirePrincipal())
            return try JSONResponse.make(FeedJSON(feed))
        }
        router.get("/feeds/:feed_id/raw") { request, context in try await raw(request, context) }
    }

    private static let uploadParameters: Set<String> = ["partner_name", "feed_type", "mode", "file_name"]

    private func upload(_ request: Request, _ context: CatalogRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        // A partner key's upload holds one of the partner's slots from its first byte; an admin's once it names the partner.
        guard let partnerName = principal.partner?.partnerName else {
            return try await upload(request, context, principal, holdingSlot: false)
        }
        return try await slots.withSlot(partnerName) { try await upload(request, context, principal, holdingSlot: true) }
    }

    private func inSlot<T>(_ partnerName: String?, held: Bool, _ body: () async throws -> T) async throws -> T {
        guard !held, let partnerName, !partnerName.isEmpty else { return try await body() }
        return try await slots.withSlot(partnerName, body)
    }

    private func upload(
        _ request: Request, _ context: CatalogRequestContext, _ principal: Principal, holdingSlot: Bool
    ) async throws -> Response {
        let media = MediaType(from: request.headers[.contentType] ?? "")
        let idempotencyKey = request.headers[.idempotencyKey]
        let outcome: UploadOutcome
        switch (media?.type, media?.subType) {
        case (.multipart, "form-data"):
            guard let boundary = media?.parameter?.name == "boundary" ? media?.parameter?.value : nil, !boundary.isEmpty else {
                throw CatalogError(.unsupportedMediaType, "multipart/form-data needs a boundary parameter.")
            }
            _ = try QueryParameters(request, allowed: [])
            try Self.checkEncoding(request, allowGzip: false)
            if let declared = request.headers[.contentLength].flatMap(Int64.init), declared > catalog.maxUploadBytes + 64 * 1024 {
                throw CatalogError(.payloadTooLarge, "The upload exceeds the maximum of \(catalog.maxUploadBytes) bytes.",
                                   details: ["max_bytes": .int(catalog.maxUploadBytes)])
            }
            // Before the body is read, so that a refused `Expect: 100-continue` upload is never sent.
            try await catalog.uploads.checkUploader(principal)
            let form = try await MultipartForm.read(
                request.body, boundary: boundary, spoolDirectory: spoolDirectory, maxFileBytes: catalog.maxUploadBytes)
            guard let file = form.file else {
                throw CatalogError.validation("The multipart body has no 'file' part.", parameter: "file")
            }
            if let unknown = form.fields.keys.first(where: { !Self.uploadParameters.contains($0) }) {
                throw CatalogError.validation("Unknown form field '\(unknown)'.", parameter: unknown)
            }
            let uploadRequest = UploadRequest(
                partnerName: form.fields["partner_name"], feedType: form.fields["feed_type"], mode: form.fields["mode"],
                fileName: form.fields["file_name"] ?? form.fileName, idempotencyKey: idempotencyKey, declaredLength: file.size,
                contentType: form.fileContentType)
            outcome = try await inSlot(uploadRequest.partnerName, held: holdingSlot) {
                let session = try await catalog.uploads.begin(uploadRequest, by: principal)
                do {
                    try await file.replay { try await session.write($0) }
                    return try await session.finish()
                } catch {
                    await session.abort()
                    throw error
                }
            }
        case (.text, "csv"), (.application, "octet-stream"), (.application, "gzip"), (.application, "x-gzip"),
             _ where FeedFormat.named(byMediaType: request.headers[.contentType]) != nil:
            let query = try QueryParameters(request, allowed: Self.uploadParameters)
            try Self.checkEncoding(request, allowGzip: true)
            let uploadRequest = UploadRequest(
                partnerName: query["partner_name"], feedType: query["feed_type"], mode: query["mode"],
                fileName: query["file_name"], idempotencyKey: idempotencyKey,
                declaredLength: request.headers[.contentLength].flatMap(Int64.init), contentType: request.headers[.contentType])
            outcome = try await inSlot(uploadRequest.partnerName, held: holdingSlot) {
                try await catalog.uploads.upload(uploadRequest, by: principal, body: request.body)
            }
        default:
            throw CatalogError(
                .unsupportedMediaType,
                "Upload a feed as multipart/form-data (part 'file') or as a raw body: text/csv, text/tab-separated-values, "
                    + "application/json (an array of objects), application/x-ndjson or application/octet-stream.",
                details: ["content_type": .string(request.headers[.contentType] ?? "")])
        }
        var headers: HTTPFields = [.location: "/feeds/\(outcome.feed.feedID)"]
        if case .replayed = outcome { headers[.idempotentReplayed] = "true" }
        if case .created(let feed) = outcome { context.logger.info("job queued", metadata: JobLog.metadata(validationOf: feed)) }
        return try JSONResponse.make(FeedJSON(outcome.feed), status: .created, headers: headers)
    }

    private static func checkEncoding(_ request: Request, allowGzip: Bool) throws {
        guard let encoding = request.headers[.contentEncoding]?.lowercased().trimmingCharacters(in: .whitespaces),
              !encoding.isEmpty, encoding != "identity"
        else { return }
        guard allowGzip, encoding == "gzip" || encoding == "x-gzip" else {
            throw CatalogError(.unsupportedMediaType, "Content-Encoding '\(encoding)' is not supported; use gzip or none.")
        }
    }

    private func list(_ request: Request, _ context: CatalogRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: ["partner_name", "status", "feed_type", "limit", "cursor"])
        let filter = FeedFilter(
            partnerName: query["partner_name"], status: try query.enumValue("status"), feedType: try query.enumValue("feed_type"))
        let (page, fingerprint) = try query.page(fingerprint: [
            "feeds", filter.partnerName, filter.status?.rawValue, filter.feedType?.rawValue,
        ])
        let result = try await catalog.feeds.list(filter, page, by: principal)
        return try JSONResponse.make(ListResponse(
            items: result.items.map(FeedJSON.init), nextCursor: Cursor.encode(after: result.nextAfter, fingerprint: fingerprint)))
    }

    private func raw(_ request: Request, _ context: CatalogRequestContext) async throws -> Response {
        let (feed, stream) = try await catalog.feeds.raw(try context.parameters.require("feed_id"), by: try context.requirePrincipal())
        let headers: HTTPFields = [
            .contentType: feed.contentType,
            .contentLength: String(feed.sizeBytes),
            .contentDisposition: "attachment; filename=\"\(feed.fileName)\"",
            .eTag: "\"\(feed.sha256)\"",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody(asyncSequence: stream))
    }
}
