import CatalogCore
import CatalogS3
import CatalogTestSupport
import Testing

/// The shared object-store contract, on a real signature-checking S3 server, with objects sent in one
/// PUT (the default threshold) and as multipart uploads (a threshold of one 8 MiB part).
@Suite struct S3ObjectStoreContractTests {
    @Test(arguments: UploadPath.allCases) func putThenRead(_ path: UploadPath) async throws {
        try await ObjectStoreContract.putThenRead(path.store())
    }
    @Test(arguments: UploadPath.allCases) func overwriteIsRefused(_ path: UploadPath) async throws {
        try await ObjectStoreContract.overwriteIsRefused(path.store())
    }
    @Test(arguments: UploadPath.allCases) func abortLeavesNothing(_ path: UploadPath) async throws {
        try await ObjectStoreContract.abortLeavesNothing(path.store())
    }
    @Test(arguments: UploadPath.allCases) func uncommittedIsInvisible(_ path: UploadPath) async throws {
        try await ObjectStoreContract.uncommittedIsInvisible(path.store())
    }
    @Test func missingKeyIsNotFound() async throws { try await ObjectStoreContract.missingKeyIsNotFound(S3TestServer.freshStore()) }
    @Test func keysWithTraversalAreRefused() async throws {
        try await ObjectStoreContract.keysWithTraversalAreRefused(S3TestServer.freshStore())
    }
    @Test(arguments: UploadPath.allCases) func largeObjectStreams(_ path: UploadPath) async throws {
        try await ObjectStoreContract.largeObjectStreams(path.store(), megabytes: 300)
    }
    @Test(arguments: UploadPath.allCases) func aboveThresholdRoundTrip(_ path: UploadPath) async throws {
        try await ObjectStoreContract.aboveThresholdRoundTrip(path.store(), bytes: 20 << 20 + 12_345)
    }
    @Test(arguments: UploadPath.allCases) func aboveThresholdOverwriteIsRefused(_ path: UploadPath) async throws {
        try await ObjectStoreContract.aboveThresholdOverwriteIsRefused(path.store(), bytes: 9 << 20)
    }
    @Test(arguments: UploadPath.allCases) func aboveThresholdAbortLeavesNothing(_ path: UploadPath) async throws {
        try await ObjectStoreContract.aboveThresholdAbortLeavesNothing(path.store(), bytes: 17 << 20)
    }
    @Test(arguments: UploadPath.allCases) func emptyObject(_ path: UploadPath) async throws {
        try await ObjectStoreContract.emptyObject(path.store())
    }
    @Test(arguments: UploadPath.allCases) func metadataKeepsTheSHA256(_ path: UploadPath) async throws {
        let store = try await path.store()
        for size in [100, 9 << 20] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let key = "raw/sha/\(size).csv"
            _ = try await ObjectStoreContract.write(store, key: key, bytes: bytes)
            #expect(try await store.metadata(key: key) == ObjectMetadata(key: key, sizeBytes: Int64(size), sha256: Bytes.sha256(bytes)))
        }
    }
}
