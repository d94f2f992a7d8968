import CatalogCore
import NIOCore
import Synchronization

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
///
/// A class with its state under a lock rather than an actor: `write` runs once per received chunk
/// (thousands per upload), and an actor would hop executors twice for each.
/// Calls come from one upload at a time (`write`s, then `commit` or `abort`); `abort` may also
/// come from elsewhere at any point, and leaves nothing behind.
final class S3ObjectWriter: ObjectWriter {
    /// Bytes gathered before one write to the spool.
    static let batchSize = 1 << 20

    private struct State {
        var isOpen = true
        var isAborted = false
        var spool: S3Spool?
        /// Chunks as received (not copied), written together once they reach `batchSize`.
        var batch: [ByteBuffer] = []
        var batchBytes = 0
        /// The previous batch, being written on a pool thread while the next one fills.
        var spooling: Task<Void, any Error>?
        var uploadID: String?
    }

    private let client: S3Client
    private let key: S3Key
    private let contentType: String
    private let multipart: S3Multipart
    private let state = Mutex(State())

    init(client: S3Client, key: S3Key, contentType: String) {
        self.client = client
        self.key = key
        self.contentType = contentType
        self.multipart = S3Multipart(client: client, key: key)
    }

    func write(_ chunk: ByteBuffer) async throws {
        let key = self.key
        let full = try state.withLock { state -> [ByteBuffer]? in
            guard state.isOpen else { throw ObjectStoreError.unavailable("write to \(key.raw) after commit or abort") }
            guard chunk.readableBytes > 0 else { return nil }
            state.batch.append(chunk)
            state.batchBytes += chunk.readableBytes
            guard state.batchBytes >= Self.batchSize else { return nil }
            defer { (state.batch, state.batchBytes) = ([], 0) }
            return state.batch
        }
        guard let full else { return }
        do {
            try await spool(full)
        } catch {
            await abort()
            throw error
        }
    }

    func commit(sha256: String) async throws -> ObjectMetadata {
        let key = self.key
        let (rest, previous) = try state.withLock { state in
            guard state.isOpen else { throw ObjectStoreError.unavailable("commit of \(key.raw) after commit or abort") }
            state.isOpen = false
            defer { (state.batch, state.batchBytes, state.spooling) = ([], 0, nil) }
            return (state.batch, state.spooling)
        }
        defer { releaseSpool() }
        do {
            try await previous?.value
            let spool = try await openSpool()
            if !rest.isEmpty { try await client.offThread { try spool.append(rest) } }
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
        let previous = state.withLock { state in
            state.isOpen = false
            state.isAborted = true
            defer { (state.batch, state.batchBytes, state.spooling) = ([], 0, nil) }
            return state.spooling
        }
        // The batch being spooled finishes first, so the file is not closed under it.
        _ = try? await previous?.value
        releaseSpool()
        await dropUpload()
    }

    /// Waits for the batch before this one, then hands this one to a pool thread, so receiving the
    /// next batch overlaps with writing this one.
    private func spool(_ chunks: [ByteBuffer]) async throws {
        let previous = state.withLock { state in
            defer { state.spooling = nil }
            return state.spooling
        }
        try await previous?.value
        let spool = try await openSpool()
        let client = self.client
        let writing = Task { try await client.offThread { try spool.append(chunks) } }
        state.withLock { $0.spooling = writing }
    }

    private func openSpool() async throws -> S3Spool {
        if let spool = state.withLock({ $0.spool }) { return spool }
        let directory = client.configuration.spoolDirectory
        let made = try await client.offThread { try S3Spool(directory: directory) }
        let key = self.key
        return try state.withLock { state in
            guard !state.isAborted else {
                made.close()
                throw ObjectStoreError.unavailable("the upload of \(key.raw) was aborted")
            }
            if let spool = state.spool {
                made.close()
                return spool
            }
            state.spool = made
            return made
        }
    }

    /// Closes the spool on a pool thread, without waiting: closing the last descriptor of a large
    /// unlinked file frees its pages, which takes tens of milliseconds for a few hundred megabytes.
    private func releaseSpool() {
        let spool = state.withLock { state in
            defer { state.spool = nil }
            return state.spool
        }
        if let spool { client.detached { spool.close() } }
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
        let aborted = state.withLock { state in
            state.uploadID = uploadID
            return state.isAborted
        }
        guard !aborted else { throw ObjectStoreError.unavailable("the upload of \(key.raw) was aborted") }
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
        state.withLock { $0.uploadID = nil }
    }

    /// Parts of `partSize`, the last one shorter; S3 allows 10,000 parts, so larger objects get larger parts.
    static func partLayout(size: Int64, partSize: Int64) -> (partSize: Int64, count: Int) {
        let partSize = max(partSize, (size + 9_999) / 10_000)
        return (partSize, Int((size + partSize - 1) / partSize))
    }

    private func dropUpload() async {
        let uploadID = state.withLock { state in
            defer { state.uploadID = nil }
            return state.uploadID
        }
        guard let uploadID else { return }
        await multipart.abort(uploadID: uploadID)
    }
}
