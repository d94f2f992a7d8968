import CatalogCore
import CatalogS3
import CatalogTestSupport
import Foundation
import Testing

/// Rejected credentials, a missing bucket and an unreachable or failing server are reported clearly.
@Suite struct S3FailureTests {
    func unavailableReason(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch ObjectStoreError.unavailable(let reason) {
            return reason
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func aWrongSecretIsRejectedByTheServer() async throws {
        var configuration = try S3TestServer.configuration()
        configuration.secretAccessKey += "x"
        let store = try S3ObjectStore(configuration: configuration)
        let ping = await unavailableReason { try await store.ping() }
        #expect(ping?.contains("SignatureDoesNotMatch") == true, "\(ping ?? "ping succeeded")")
        #expect(ping?.contains("AWS_SECRET_ACCESS_KEY") == true)
        let write = await unavailableReason { _ = try await ObjectStoreContract.write(store, key: "raw/denied.csv", bytes: [1, 2, 3]) }
        #expect(write?.contains("SignatureDoesNotMatch") == true, "\(write ?? "write succeeded")")
        let good = try S3ObjectStore(configuration: try S3TestServer.configuration())
        #expect(try await good.metadata(key: "raw/denied.csv") == nil)
    }

    @Test func anUnknownAccessKeyIsRejected() async throws {
        var configuration = try S3TestServer.configuration()
        configuration.accessKeyID = "AKIAUNKNOWNUNKNOWN00"
        let reason = await unavailableReason { try await S3ObjectStore(configuration: configuration).ping() }
        #expect(reason?.contains("InvalidAccessKeyId") == true, "\(reason ?? "ping succeeded")")
    }

    @Test func aMissingBucketIsNamed() async throws {
        let store = try S3ObjectStore(configuration: try S3TestServer.configuration(bucket: "no-such-bucket-\(UUID().uuidString.prefix(8).lowercased())"))
        let ping = await unavailableReason { try await store.ping() }
        #expect(ping?.contains("does not exist") == true, "\(ping ?? "ping succeeded")")
        let write = await unavailableReason { _ = try await ObjectStoreContract.write(store, key: "raw/a.csv", bytes: [1]) }
        #expect(write?.contains("does not exist") == true, "\(write ?? "write succeeded")")
    }

    @Test func aServerThatIsDownIsUnavailableAfterRetries() async throws {
        var configuration = try S3TestServer.configuration()
        let closed = try ClosedPort()
        defer { withExtendedLifetime(closed) {} }
        configuration.endpoint = "http://127.0.0.1:\(closed.port)"
        let store = try S3ObjectStore(configuration: configuration)
        let started = ContinuousClock.now
        for operation in [
            { try await store.ping() },
            { _ = try await ObjectStoreContract.write(store, key: "raw/a.csv", bytes: [1]) },
            { _ = try await store.read(key: "raw/a.csv") },
        ] as [@Sendable () async throws -> Void] {
            let reason = await unavailableReason(operation)
            #expect(reason?.contains("after 3 attempts") == true, "\(reason ?? "succeeded")")
            #expect(reason?.localizedCaseInsensitiveContains("connect") == true, "\(reason ?? "succeeded")")
        }
        // Three operations, each waiting 20 ms and then 40 ms between its attempts.
        #expect(ContinuousClock.now - started >= .milliseconds(180))
    }

    @Test func serverErrorsAreRetriedThreeTimesInAll() async throws {
        let flaky = try await ScriptedHTTPServer(statuses: [503, 500, 200])
        defer { Task { await flaky.stop() } }
        var configuration = try S3TestServer.configuration()
        configuration.endpoint = flaky.endpoint
        try await S3ObjectStore(configuration: configuration).ping()
        #expect(flaky.requests == 3)

        let broken = try await ScriptedHTTPServer(statuses: [503])
        defer { Task { await broken.stop() } }
        configuration.endpoint = broken.endpoint
        let reason = await unavailableReason { try await S3ObjectStore(configuration: configuration).ping() }
        #expect(reason?.contains("after 3 attempts: HTTP 503 Scripted503") == true, "\(reason ?? "succeeded")")
        #expect(broken.requests == 3)
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let server = try await ScriptedHTTPServer(statuses: [400])
        defer { Task { await server.stop() } }
        var configuration = try S3TestServer.configuration()
        configuration.endpoint = server.endpoint
        let reason = await unavailableReason { try await S3ObjectStore(configuration: configuration).ping() }
        #expect(reason?.contains("HTTP 400") == true, "\(reason ?? "succeeded")")
        #expect(server.requests == 1)
    }

    @Test func connectionsAreReused() async throws {
        let server = try await ScriptedHTTPServer(statuses: [200], keepAlive: true)
        defer { Task { await server.stop() } }
        var configuration = try S3TestServer.configuration()
        configuration.endpoint = server.endpoint
        let store = try S3ObjectStore(configuration: configuration)
        for _ in 0..<5 { try await store.ping() }
        #expect(server.requests == 5)
        #expect(server.connections == 1)
    }

    @Test func invalidSettingsAreRefusedAtOnce() throws {
        let base = try S3TestServer.configuration()
        for change in [
            { (c: inout S3Configuration) in c.bucket = "Not_A_Bucket" },
            { (c: inout S3Configuration) in c.endpoint = "ftp://example.com" },
            { (c: inout S3Configuration) in c.secretAccessKey = "" },
            { (c: inout S3Configuration) in c.partSize = 1 << 20 },
            { (c: inout S3Configuration) in c.multipartThreshold = S3Configuration.maxSinglePutBytes + 1 },
            { (c: inout S3Configuration) in c.multipartThreshold = -1 },
            { (c: inout S3Configuration) in c.partConcurrency = 0 },
        ] {
            var configuration = base
            change(&configuration)
            #expect(throws: ObjectStoreError.self) { try S3ObjectStore(configuration: configuration) }
        }
    }
}
