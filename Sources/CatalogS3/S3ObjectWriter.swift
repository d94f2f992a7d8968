import CatalogCore
import NIOCore

/// Writes one object: the bytes are spooled to a temporary file and sent at `commit`, when the
/// whole object's SHA-256 is known: up to the multipart threshold in one PUT, larger objects as a
/// multipart upload whose parts are read back from the spool. Memory stays at two spool batches
/// plus curl's buffers, whatever the size. Nothing reaches the store before `commit`, so an upload
/// that fails or is abandoned before it leaves nothing there; a failed commit aborts its multipart
/// upload. The spool file is released on every outcome.
///
/// The caller's SHA-256 (computed once, as the bytes arrived) is the payload hash of a single PUT,
/// which S3 checks against the bytes it receives; hashing them a second time here would cost as
/// much again on the upload's critical path. A multipart upload hashes its parts from the spool
/// anyway, and is aborted instead of completed if they do not add up to the caller's SHA-256.
actor S3ObjectWriter: ObjectWriter {
    /// Bytes gathered before one write to the spool.
    static let batchSize = 1 << 20

    private let client: S3Client
    private let key: S3Key
    private let contentType: String
    private let multipart: S3Multipart
    private var spool: S3Spool?
    /// Chunks as received (not copied), written together once they reach `batchSize`.
    private var batch: [ByteBuffer] = []
    private var batchBytes = 0
    /// The previous batch, being written on a pool thread while the next one fills.
    private var spooling: Task<Void, any Error>?
    private var uploadID: String?
    private var isOpen = true
    private var isAborted = false

    init(client: S3Client, key: S3Key, contentType: String) {
        self.client = client
        self.key = key
        self.contentType = contentType
        self.multipart = S3Multipart(client: client, key: key)
    }

    func write(_ chunk: ByteBuffer) async throws {
        guard isOpen else { throw ObjectStoreError.unavailable("write to \(key.raw) after commit or abort") }
        guard chunk.readableBytes > 0 else { return }
        do {
            batch.append(chunk)
            batchBytes += chunk.readableBytes
            if batchBytes >= Self.batchSize { try await flush() }
        } catch {
            await abort()
            throw error
        }
    }

    func commit(sha256: String) async throws -> ObjectMetadata {
        guard isOpen else { throw ObjectStoreError.unavailable("commit of \(key.raw) after commit or abort") }
        isOpen = false
        defer { releaseSpool() }
        do {
            try await flush()
            try await spooling?.value
            spooling = nil
            let spool = try await openSpool()
            let size = spool.size
            if size == 0 && sha256 != S3Client.emptySHA256 {
                throw ObjectStoreError.unavailable("the empty object \(key.raw) cannot hash to \(sha256)")
            }
            if size <= client.configuration.multipartThreshold {
                try await putWhole(spool, size: size, sha256: sha256)
            } else {
                try await putInParts(spool, size: size, sha256: sha256)
            }
            return ObjectMetadata(key: key.raw, sizeBytes: size, sha256: sha256)
        } catch {
            await dropUpload()
            throw error
        }
    }

    func abort() async {
        isOpen = false
        isAborted = true
        batch = []
        batchBytes = 0
        // The batch being spooled finishes first, so the file is not closed under it.
        _ = try? await spooling?.value
        spooling = nil
        releaseSpool()
        await dropUpload()
    }

    /// Hands the gathered batch to a pool thread; waits only for the batch before it, so receiving
    /// the next one overlaps with writing this one.
    private func flush() async throws {
        guard batchBytes > 0 else { return }
        let spool = try await openSpool()
        if let previous = spooling {
            spooling = nil
            try await previous.value
        }
        let bytes = batch
        batch = []
        batchBytes = 0
        let client = self.client
        spooling = Task { try await client.offThread { try spool.append(bytes) } }
    }

    private func openSpool() async throws -> S3Spool {
        if let spool { return spool }
        let directory = client.configuration.spoolDirectory
        let made = try await client.offThread { try S3Spool(directory: directory) }
        spool = made
        return made
    }

    private func releaseSpool() {
        spool?.close()
        spool = nil
    }

    /// One PUT whose payload hash is the object's SHA-256 (checked by S3), which is also kept as metadata.
    private func putWhole(_ spool: S3Spool, size: Int64, sha256: String) async throws {
        let request = client.request(
            .put, client.url(key: key), file: S3SpoolRange(spool: spool, offset: 0, length: size), sha256: sha256,
            contentType: contentType, headers: ["If-None-Match: *", "x-amz-meta-sha256: \(sha256)"])
        let response = try await client.send("PUT \(key.raw)", request)
        guard response.isSuccess else { throw client.rejection("PUT \(key.raw)", response, key: key) }
    }

    /// A multipart upload carrying the SHA-256 as metadata from the start. Parts are hashed from the
    /// spool in order (which adds up to the whole object's SHA-256, checked before completion) and
    /// sent `partConcurrency` at a time, then completed with `If-None-Match: *`.
    private func putInParts(_ spool: S3Spool, size: Int64, sha256: String) async throws {
        let (partSize, count) = Self.partLayout(size: size, partSize: Int64(client.configuration.partSize))
        let uploadID = try await multipart.initiate(contentType: contentType, metadata: ["x-amz-meta-sha256: \(sha256)"])
        self.uploadID = uploadID
        guard !isAborted else { throw ObjectStoreError.unavailable("the upload of \(key.raw) was aborted") }
        let (client, multipart) = (self.client, self.multipart)
        let concurrency = client.configuration.partConcurrency
        let whole = RunningSHA256()
        let parts = try await withThrowingTaskGroup(of: S3Multipart.Part.self) { group in
            var parts: [S3Multipart.Part] = []
            for index in 0..<count {
                if index >= concurrency, let done = try await group.next() { parts.append(done) }
                let range = S3SpoolRange(spool: spool, offset: Int64(index) * partSize, length: min(partSize, size - Int64(index) * partSize))
                let partSHA = try await client.offThread { try spool.sha256(offset: range.offset, length: range.length, alsoInto: whole) }
                group.addTask { try await multipart.upload(range, sha256: partSHA, number: index + 1, uploadID: uploadID) }
            }
            while let done = try await group.next() { parts.append(done) }
            return parts.sorted { $0.number < $1.number }
        }
        let actual = whole.finalize()
        guard actual == sha256 else {
            throw ObjectStoreError.unavailable("the bytes written to \(key.raw) hash to \(actual), not \(sha256)")
        }
        // CompleteMultipartUpload with If-None-Match: * (honoured by S3 and moto) refuses an existing key.
        try await multipart.complete(parts, uploadID: uploadID)
        self.uploadID = nil
    }

    /// Parts of `partSize`, the last one shorter; S3 allows 10,000 parts, so larger objects get larger parts.
    static func partLayout(size: Int64, partSize: Int64) -> (partSize: Int64, count: Int) {
        let partSize = max(partSize, (size + 9_999) / 10_000)
        return (partSize, Int((size + partSize - 1) / partSize))
    }

    private func dropUpload() async {
        guard let uploadID else { return }
        self.uploadID = nil
        await multipart.abort(uploadID: uploadID)
    }
}
