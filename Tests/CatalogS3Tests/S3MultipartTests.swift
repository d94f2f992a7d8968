import CatalogCore
@testable import CatalogS3
import CatalogTestSupport
import NIOCore
import Testing

/// Multipart specifics that the shared contract cannot see: part count, hidden parts, cleanup.
@Suite struct S3MultipartTests {
    func head(_ store: S3ObjectStore, _ key: String) async throws -> CurlResponse {
        try await store.client.send("HEAD", store.client.request(.head, store.client.url(key: try S3Key(key))))
    }

    func openUploads(_ store: S3ObjectStore) async throws -> Int {
        let response = try await store.client.send("list uploads", store.client.request(.get, store.client.url(key: nil, query: "uploads=")))
        #expect(response.isSuccess, "\(response.errorSummary)")
        return response.bodyText.components(separatedBy: "<UploadId>").count - 1
    }

    @Test func anObjectAboveOnePartGoesUpInParts() async throws {
        let store = try await S3TestServer.freshStore()
        let bytes = [UInt8](repeating: 0x61, count: 20 << 20 + 1)
        _ = try await ObjectStoreContract.write(store, key: "raw/three-parts.csv", bytes: bytes)
        #expect(try await head(store, "raw/three-parts.csv").headers["etag"]?.hasSuffix("-3\"") == true)
        _ = try await ObjectStoreContract.write(store, key: "raw/one-put.csv", bytes: Array(bytes.prefix(8 << 20 - 1)))
        #expect(try await head(store, "raw/one-put.csv").headers["etag"]?.contains("-") == false)
    }

    @Test func sentPartsStayInvisibleUntilCommit() async throws {
        let store = try await S3TestServer.freshStore()
        let bytes = [UInt8](repeating: 0x62, count: 17 << 20)
        let writer = try await store.makeWriter(key: "raw/pending.csv", contentType: "text/csv")
        for try await piece in Bytes.chunks(bytes, size: 1 << 20) { try await writer.write(piece) }
        #expect(try await openUploads(store) == 1)
        #expect(try await store.metadata(key: "raw/pending.csv") == nil)
        _ = try await writer.commit(sha256: Bytes.sha256(bytes))
        #expect(try await store.metadata(key: "raw/pending.csv")?.sizeBytes == Int64(bytes.count))
        #expect(try await openUploads(store) == 0)
    }

    @Test func abortedAndRefusedUploadsLeaveNoParts() async throws {
        let store = try await S3TestServer.freshStore()
        try await ObjectStoreContract.aboveThresholdAbortLeavesNothing(store, bytes: 17 << 20)
        try await ObjectStoreContract.aboveThresholdOverwriteIsRefused(store, bytes: 9 << 20)
        #expect(try await openUploads(store) == 0)
    }

    @Test func concurrentWritersOfOneKeyYieldOneObject() async throws {
        let store = try await S3TestServer.freshStore()
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
}
