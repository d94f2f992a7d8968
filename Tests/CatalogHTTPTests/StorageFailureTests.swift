import CatalogCore
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// An object store that fails part-way, as a full disk or a dropped connection would.
struct FailingObjectStore: ObjectStore {
    enum Failure: Sendable { case onWrite(afterBytes: Int), onCommit, onOpen }

    let base: any ObjectStore
    let failure: Failure
    var bucket: String { base.bucket }

    func makeWriter(key: String, contentType: String) async throws -> any ObjectWriter {
        if case .onOpen = failure { throw ObjectStoreError.unavailable("connection refused") }
        return Writer(base: try await base.makeWriter(key: key, contentType: contentType), failure: failure)
    }

    func read(key: String) async throws -> ObjectReadStream { try await base.read(key: key) }
    func metadata(key: String) async throws -> ObjectMetadata? { try await base.metadata(key: key) }
    func discard(key: String) async { await base.discard(key: key) }
    func ping() async throws { try await base.ping() }

    actor Writer: ObjectWriter {
        let base: any ObjectWriter
        let failure: Failure
        var written = 0

        init(base: any ObjectWriter, failure: Failure) {
            self.base = base
            self.failure = failure
        }

        func write(_ chunk: ByteBuffer) async throws {
            written += chunk.readableBytes
            if case .onWrite(let limit) = failure, written > limit { throw ObjectStoreError.unavailable("No space left on device") }
            try await base.write(chunk)
        }

        func commit(sha256: String) async throws -> ObjectMetadata {
            if case .onCommit = failure { throw ObjectStoreError.unavailable("timed out") }
            return try await base.commit(sha256: sha256)
        }

        func abort() async { await base.abort() }
    }
}

@Suite struct StorageFailureTests {
    @Test(arguments: [FailingObjectStore.Failure.onWrite(afterBytes: 100_000), .onCommit, .onOpen])
    func failureHalfWayLeavesNoFeedJobOrObject(_ failure: FailingObjectStore.Failure) async throws {
        let app = try await TestApp.make { FailingObjectStore(base: $0, failure: failure) }
        let bytes = Bytes.productsCSV(rows: 10_000)
        try await app.test { client in
            for response in [
                try await client.uploadRaw(bytes, key: app.adminKey, query: "partner_name=acme"),
                try await client.uploadMultipart([.file(fileName: "a.csv", bytes: bytes), .field("partner_name", "acme")], key: app.adminKey),
            ] {
                #expect(response.status == .serviceUnavailable)
                #expect(response.errorCode == "STORAGE_UNAVAILABLE")
            }
            #expect(app.storedObjects.isEmpty)
            #expect(app.directory.files(under: "objects/.tmp").isEmpty)
            #expect(try await client.get("/feeds", key: app.adminKey).json["count"] as? Int == 0)
            #expect(try await client.get("/jobs", key: app.adminKey).json["count"] as? Int == 0)
            #expect(try await client.get("/partners", key: app.adminKey).json["count"] as? Int == 0)
        }
    }
}
