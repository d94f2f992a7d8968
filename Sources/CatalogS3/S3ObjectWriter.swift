import CatalogCore
import NIOCore

/// Streams one object: bytes are held until a part is full, then sent while the caller waits, so
/// at most one part is in memory. An object smaller than one part goes up in a single PUT at commit.
/// Nothing is visible before `commit`; `abort`, or any failure, drops the parts already sent.
actor S3ObjectWriter: ObjectWriter {
    private let client: S3Client
    private let key: S3Key
    private let contentType: String
    private let multipart: S3Multipart
    private let partSize: Int
    private var pending = ByteBuffer()
    private var uploadID: String?
    private var parts: [S3Multipart.Part] = []
    private var size: Int64 = 0
    private var isOpen = true
    private var isAborted = false

    init(client: S3Client, key: S3Key, contentType: String) {
        self.client = client
        self.key = key
        self.contentType = contentType
        self.multipart = S3Multipart(client: client, key: key)
        self.partSize = client.configuration.partSize
    }

    func write(_ chunk: ByteBuffer) async throws {
        guard isOpen else { throw ObjectStoreError.unavailable("write to \(key.raw) after commit or abort") }
        var chunk = chunk
        size += Int64(chunk.readableBytes)
        do {
            while chunk.readableBytes > 0 {
                if pending.readableBytes == 0 && pending.capacity < partSize { pending.reserveCapacity(partSize) }
                var slice = chunk.readSlice(length: min(partSize - pending.readableBytes, chunk.readableBytes)) ?? ByteBuffer()
                pending.writeBuffer(&slice)
                if pending.readableBytes == partSize { try await sendPendingPart() }
            }
        } catch {
            await abort()
            throw error
        }
    }

    func commit(sha256: String) async throws -> ObjectMetadata {
        guard isOpen else { throw ObjectStoreError.unavailable("commit of \(key.raw) after commit or abort") }
        isOpen = false
        do {
            if uploadID == nil {
                try await putWhole(sha256: sha256)
            } else {
                try await completeMultipart(sha256: sha256)
            }
        } catch {
            await dropUpload()
            throw error
        }
        return ObjectMetadata(key: key.raw, sizeBytes: size, sha256: sha256)
    }

    func abort() async {
        isOpen = false
        isAborted = true
        pending = ByteBuffer()
        await dropUpload()
    }

    private func sendPendingPart() async throws {
        let body = pending
        pending = ByteBuffer()
        let uploadID: String
        if let started = self.uploadID {
            uploadID = started
        } else {
            uploadID = try await multipart.initiate(contentType: contentType)
            guard !isAborted else {  // aborted while the upload was being initiated
                await multipart.abort(uploadID: uploadID)
                throw ObjectStoreError.unavailable("the upload of \(key.raw) was aborted")
            }
            self.uploadID = uploadID
        }
        parts.append(try await multipart.upload(body, number: parts.count + 1, uploadID: uploadID))
    }

    /// One PUT carrying the object's SHA-256 as payload hash (checked by the server) and as metadata.
    private func putWhole(sha256: String) async throws {
        let actual = try await client.sha256OffThread(pending)
        guard actual == sha256 else {
            throw ObjectStoreError.unavailable("the bytes written to \(key.raw) hash to \(actual), not \(sha256)")
        }
        let request = client.request(
            .put, client.url(key: key), body: pending, sha256: sha256, contentType: contentType,
            headers: ["If-None-Match: *", "x-amz-meta-sha256: \(sha256)"])
        pending = ByteBuffer()
        let response = try await client.send("PUT \(key.raw)", request)
        guard response.isSuccess else { throw client.rejection("PUT \(key.raw)", response, key: key) }
    }

    /// Each part was hashed and checked on its own; the whole object's SHA-256 (the caller's, from the
    /// same stream) becomes a tag after completion, best effort: the feed row holds it in any case.
    private func completeMultipart(sha256: String) async throws {
        if pending.readableBytes > 0 { try await sendPendingPart() }
        guard let uploadID else { return }
        // CompleteMultipartUpload with If-None-Match: * (honoured by S3 and moto) refuses an existing key.
        try await multipart.complete(parts, uploadID: uploadID)
        self.uploadID = nil
        try? await multipart.tag(sha256: sha256)
    }

    private func dropUpload() async {
        guard let uploadID else { return }
        self.uploadID = nil
        await multipart.abort(uploadID: uploadID)
    }
}
