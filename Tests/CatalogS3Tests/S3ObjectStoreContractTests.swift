import CatalogCore
import CatalogS3
import CatalogTestSupport
import Testing

/// The shared object-store contract, on a real signature-checking S3 server.
@Suite struct S3ObjectStoreContractTests {
    @Test func putThenRead() async throws { try await ObjectStoreContract.putThenRead(S3TestServer.freshStore()) }
    @Test func overwriteIsRefused() async throws { try await ObjectStoreContract.overwriteIsRefused(S3TestServer.freshStore()) }
    @Test func abortLeavesNothing() async throws { try await ObjectStoreContract.abortLeavesNothing(S3TestServer.freshStore()) }
    @Test func uncommittedIsInvisible() async throws { try await ObjectStoreContract.uncommittedIsInvisible(S3TestServer.freshStore()) }
    @Test func missingKeyIsNotFound() async throws { try await ObjectStoreContract.missingKeyIsNotFound(S3TestServer.freshStore()) }
    @Test func keysWithTraversalAreRefused() async throws {
        try await ObjectStoreContract.keysWithTraversalAreRefused(S3TestServer.freshStore())
    }
    @Test func largeObjectStreams() async throws {
        try await ObjectStoreContract.largeObjectStreams(S3TestServer.freshStore(), megabytes: 300)
    }
    @Test func aboveThresholdRoundTrip() async throws {
        try await ObjectStoreContract.aboveThresholdRoundTrip(S3TestServer.freshStore(), bytes: 20 << 20 + 12_345)
    }
    @Test func aboveThresholdOverwriteIsRefused() async throws {
        try await ObjectStoreContract.aboveThresholdOverwriteIsRefused(S3TestServer.freshStore(), bytes: 9 << 20)
    }
    @Test func aboveThresholdAbortLeavesNothing() async throws {
        try await ObjectStoreContract.aboveThresholdAbortLeavesNothing(S3TestServer.freshStore(), bytes: 17 << 20)
    }
    @Test func emptyObject() async throws { try await ObjectStoreContract.emptyObject(S3TestServer.freshStore()) }
    @Test func metadataKeepsTheSHA256() async throws {
        let store = try await S3TestServer.freshStore()
        for size in [100, 9 << 20] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let key = "raw/sha/\(size).csv"
            _ = try await ObjectStoreContract.write(store, key: key, bytes: bytes)
            #expect(try await store.metadata(key: key) == ObjectMetadata(key: key, sizeBytes: Int64(size), sha256: Bytes.sha256(bytes)))
        }
    }
}
