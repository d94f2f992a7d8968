import CatalogCore
@testable import CatalogS3
import CatalogTestSupport
import Testing

/// Every request carries the real SHA-256 of its body as `x-amz-content-sha256` (never
/// UNSIGNED-PAYLOAD), writes are conditional, and the object's SHA-256 goes with it as metadata.
@Suite struct PayloadHashTests {
    func store(_ server: PayloadCheckingServer, threshold: Int64? = nil) throws -> S3ObjectStore {
        var configuration = S3Configuration(
            endpoint: server.endpoint, bucket: "stub", accessKeyID: "AKIAEXAMPLE", secretAccessKey: "secret")
        if let threshold { configuration.multipartThreshold = threshold }
        return try S3ObjectStore(configuration: configuration)
    }

    func expectHonest(_ exchanges: [PayloadCheckingServer.Exchange]) {
        for exchange in exchanges {
            #expect(exchange.declaredSHA256 == exchange.bodySHA256, "\(exchange.method) \(exchange.target)")
        }
    }

    @Test func aSinglePutCarriesTheObjectsSHA256() async throws {
        let server = try await PayloadCheckingServer()
        defer { Task { await server.stop() } }
        let store = try store(server)
        let bytes = ObjectStoreContractPattern.bytes(3 << 20 + 7)
        let writer = try await store.makeWriter(key: "raw/one.csv", contentType: "text/csv")
        for try await piece in Bytes.chunks(bytes, size: 100_000) { try await writer.write(piece) }
        #expect(server.exchanges.isEmpty, "requests before commit")
        _ = try await writer.commit(sha256: Bytes.sha256(bytes))

        let exchanges = server.exchanges
        #expect(exchanges.map(\.method) == ["PUT"])
        expectHonest(exchanges)
        #expect(exchanges.first?.bodyBytes == bytes.count)
        #expect(exchanges.first?.declaredSHA256 == Bytes.sha256(bytes))
        #expect(exchanges.first?.headers["if-none-match"] == "*")
        #expect(exchanges.first?.headers["x-amz-meta-sha256"] == Bytes.sha256(bytes))
        #expect(exchanges.first?.headers["content-type"] == "text/csv")
    }

    @Test func everyPartCarriesItsOwnSHA256() async throws {
        let server = try await PayloadCheckingServer()
        defer { Task { await server.stop() } }
        let store = try store(server, threshold: 8 << 20)
        let bytes = ObjectStoreContractPattern.bytes(20 << 20 + 1)
        _ = try await ObjectStoreContract.write(store, key: "raw/parts.csv", bytes: bytes, chunk: 100_003)

        let exchanges = server.exchanges
        expectHonest(exchanges)
        #expect(exchanges.count == 5)
        let initiate = try #require(exchanges.first)
        #expect(initiate.method == "POST" && initiate.target.hasSuffix("?uploads="))
        #expect(initiate.headers["x-amz-meta-sha256"] == Bytes.sha256(bytes))
        let parts = exchanges.filter { $0.target.contains("partNumber=") }.sorted { $0.target < $1.target }
        #expect(parts.map(\.bodyBytes) == [8 << 20, 8 << 20, 4 << 20 + 1])
        for (index, part) in parts.enumerated() {
            let start = index * (8 << 20)
            #expect(part.bodySHA256 == Bytes.sha256(bytes[start..<min(start + (8 << 20), bytes.count)]))
        }
        let complete = try #require(exchanges.last)
        #expect(complete.method == "POST" && complete.target.contains("uploadId=stub-upload"))
        #expect(complete.headers["if-none-match"] == "*")
    }
}
