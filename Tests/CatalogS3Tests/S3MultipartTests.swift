import CatalogCore
@testable import CatalogCurl
@testable import CatalogS3
import CatalogTestSupport
import Foundation
import NIOCore
import Testing

/// What the shared contract cannot see: which objects go up in one PUT and which in parts, that
/// nothing reaches the bucket before commit, that no multipart upload is left open, and that the
/// spool file is released whatever happens.
@Suite struct S3MultipartTests {
    func head(_ store: S3ObjectStore, _ key: String) async throws -> CurlResponse {
        try await store.client.send("HEAD", store.client.request(.head, store.client.url(key: try S3Key(key))))
    }

    func openUploads(_ store: S3ObjectStore) async throws -> Int {
        let response = try await store.client.send("list uploads", store.client.request(.get, store.client.url(key: nil, query: "uploads=")))
        #expect(response.isSuccess, "\(response.errorSummary)")
        return response.bodyText.components(separatedBy: "<UploadId>").count - 1
    }

    @Test func objectsAboveTheThresholdGoUpInPartsWithTheirSHA256AsMetadata() async throws {
        let store = try await S3TestServer.freshMultipartStore()
        let bytes = ObjectStoreContractPattern.bytes(20 << 20 + 1)
        _ = try await ObjectStoreContract.write(store, key: "raw/three-parts.csv", bytes: bytes)
        let parts = try await head(store, "raw/three-parts.csv")
        #expect(parts.headers["etag"]?.hasSuffix("-3\"") == true, "\(parts.headers)")
        #expect(parts.headers["x-amz-meta-sha256"] == Bytes.sha256(bytes))

        let small = Array(bytes.prefix(8 << 20))
        _ = try await ObjectStoreContract.write(store, key: "raw/one-put.csv", bytes: small)
        let one = try await head(store, "raw/one-put.csv")
        #expect(one.headers["etag"]?.contains("-") == false, "\(one.headers)")
        #expect(one.headers["x-amz-meta-sha256"] == Bytes.sha256(small))
    }

    @Test func theDefaultThresholdSendsLargeObjectsInOnePut() async throws {
        let store = try await S3TestServer.freshStore()
        #expect(store.configuration.multipartThreshold == S3Configuration.defaultMultipartThreshold)
        let bytes = ObjectStoreContractPattern.bytes(20 << 20 + 1)
        _ = try await ObjectStoreContract.write(store, key: "raw/big-one-put.csv", bytes: bytes)
        let response = try await head(store, "raw/big-one-put.csv")
        #expect(response.headers["etag"]?.contains("-") == false, "\(response.headers)")
        #expect(response.headers["x-amz-meta-sha256"] == Bytes.sha256(bytes))
    }

    @Test func theThresholdIsIndependentOfThePartSize() async throws {
        let store = try await S3TestServer.freshStore { $0.multipartThreshold = 1 << 20 }
        let bytes = ObjectStoreContractPattern.bytes(3 << 20)
        _ = try await ObjectStoreContract.write(store, key: "raw/one-part.csv", bytes: bytes)
        #expect(try await head(store, "raw/one-part.csv").headers["etag"]?.hasSuffix("-1\"") == true)
        #expect(try await Bytes.collect(store.read(key: "raw/one-part.csv")) == bytes)
    }

    @Test func nothingReachesTheBucketBeforeCommit() async throws {
        let store = try await S3TestServer.freshMultipartStore()
        let bytes = ObjectStoreContractPattern.bytes(17 << 20)
        let writer = try await store.makeWriter(key: "raw/pending.csv", contentType: "text/csv")
        for try await piece in Bytes.chunks(bytes, size: 1 << 20) { try await writer.write(piece) }
        #expect(try await openUploads(store) == 0)
        #expect(try await store.metadata(key: "raw/pending.csv") == nil)
        _ = try await writer.commit(sha256: Bytes.sha256(bytes))
        #expect(try await store.metadata(key: "raw/pending.csv")?.sizeBytes == Int64(bytes.count))
        #expect(try await openUploads(store) == 0)
    }

    /// Parts are hashed from the spool, and must add up to the caller's SHA-256: if not, the upload
    /// is aborted instead of completed. (A single PUT declares the caller's SHA-256 as its payload
    /// hash, which S3 checks against the bytes; moto does not.)
    @Test func partsThatDoNotAddUpToTheCallersSHA256AreNotCompleted() async throws {
        let store = try await S3TestServer.freshMultipartStore()
        let bytes = ObjectStoreContractPattern.bytes(9 << 20)
        let writer = try await store.makeWriter(key: "raw/wrong.csv", contentType: "text/csv")
        for try await piece in Bytes.chunks(bytes, size: 1 << 20) { try await writer.write(piece) }
        let error = await #expect(throws: ObjectStoreError.self) { _ = try await writer.commit(sha256: Bytes.sha256([1, 2, 3])) }
        #expect("\(String(describing: error))".contains("hash to \(Bytes.sha256(bytes))"), "\(String(describing: error))")
        #expect(try await store.metadata(key: "raw/wrong.csv") == nil)
        #expect(try await openUploads(store) == 0)
    }

    @Test func abortedAndRefusedUploadsLeaveNoParts() async throws {
        let store = try await S3TestServer.freshMultipartStore()
        try await ObjectStoreContract.aboveThresholdAbortLeavesNothing(store, bytes: 17 << 20)
        try await ObjectStoreContract.aboveThresholdOverwriteIsRefused(store, bytes: 9 << 20)
        #expect(try await openUploads(store) == 0)
    }

    @Test func concurrentWritersOfOneKeyYieldOneObject() async throws {
        let store = try await S3TestServer.freshMultipartStore()
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<6 {
                group.addTask {
                    let bytes = [UInt8](repeating: UInt8(index), count: index.isMultiple(of: 2) ? 100 : 9 << 20)
                    return (try? await ObjectStoreContract.write(store, key: "raw/race.csv", bytes: bytes)) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
        #expect(try await openUploads(store) == 0)
    }

    @Test(arguments: UploadPath.allCases) func theSpoolFileIsReleasedWhateverHappens(_ path: UploadPath) async throws {
        let spool = TemporaryDirectory()
        let store = try await S3TestServer.freshStore {
            $0.spoolDirectory = spool.path
            if path == .multipart { $0.multipartThreshold = 8 << 20 }
        }
        let bytes = ObjectStoreContractPattern.bytes(9 << 20)
        func writing(_ key: String) async throws -> any ObjectWriter {
            let writer = try await store.makeWriter(key: key, contentType: "text/csv")
            for try await piece in Bytes.chunks(bytes, size: 300_000) { try await writer.write(piece) }
            #expect(openSpoolFiles(in: spool.path) == 1)
            return writer
        }
        // Committed.
        _ = try await writing("raw/a.csv").commit(sha256: Bytes.sha256(bytes))
        #expect(await spoolFilesClosed(in: spool.path))
        // Aborted (a rejected or broken-off upload).
        let aborted = try await writing("raw/b.csv")
        await aborted.abort()
        #expect(await spoolFilesClosed(in: spool.path))
        // Refused by the store at commit (the key exists).
        let refused = try await writing("raw/a.csv")
        await #expect(throws: ObjectStoreError.self) { _ = try await refused.commit(sha256: Bytes.sha256(bytes)) }
        #expect(await spoolFilesClosed(in: spool.path))
        await refused.abort()
        // Dropped without commit or abort.
        _ = try await writing("raw/c.csv")
        #expect(await spoolFilesClosed(in: spool.path))
        // Spool files never have a name in the folder.
        #expect(spool.files().isEmpty)
        #expect(try await openUploads(store) == 0)
    }

    @Test func partsGrowPastTenThousand() {
        #expect(S3ObjectWriter.partLayout(size: 20 << 20, partSize: 8 << 20) == (8 << 20, 3))
        #expect(S3ObjectWriter.partLayout(size: 16 << 20, partSize: 8 << 20) == (8 << 20, 2))
        #expect(S3ObjectWriter.partLayout(size: 1, partSize: 8 << 20) == (8 << 20, 1))
        let huge: Int64 = 100 << 30
        let layout = S3ObjectWriter.partLayout(size: huge, partSize: 8 << 20)
        #expect(layout.count <= 10_000)
        #expect(layout.partSize * Int64(layout.count) >= huge)
    }
}

/// Bytes that differ from one position to the next, so a misplaced part shows: a block whose length
/// is prime, repeated (built by copying, so debug builds make tens of megabytes quickly).
enum ObjectStoreContractPattern {
    static let block: [UInt8] = (0..<1_000_003).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }

    static func bytes(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count { out.append(contentsOf: block.prefix(count - out.count)) }
        return out
    }
}
