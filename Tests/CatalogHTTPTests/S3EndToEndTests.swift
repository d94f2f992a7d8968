import CatalogCore
import CatalogS3
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Upload → ETL → raw download with raw files in a signature-checking S3 server (moto, from `make test`).
@Suite struct S3EndToEndTests {
    /// A store on a fresh bucket of the test server named by CATALOG_TEST_S3_*; `endpoint` replaces its address.
    static func store(
        endpoint: String? = nil, configure: (inout S3Configuration) -> Void = { _ in }
    ) async throws -> S3ObjectStore {
        func variable(_ name: String) throws -> String {
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw ObjectStoreContract.Failure(
                    "\(name) is not set: the S3 tests need a signature-checking S3 server. "
                        + "Run them through `make test` or `scripts/with-moto.sh swift test`.")
            }
            return value
        }
        var configuration = S3Configuration(
            endpoint: try variable("CATALOG_TEST_S3_ENDPOINT"), region: try variable("CATALOG_TEST_S3_REGION"),
            bucket: "e2e-" + UUID().uuidString.lowercased(), accessKeyID: try variable("CATALOG_TEST_S3_ACCESS_KEY_ID"),
            secretAccessKey: try variable("CATALOG_TEST_S3_SECRET_ACCESS_KEY"))
        configuration.retryBaseDelay = .milliseconds(10)
        configure(&configuration)
        if let endpoint {
            configuration.endpoint = endpoint
            return try S3ObjectStore(configuration: configuration)
        }
        let store = try S3ObjectStore(configuration: configuration)
        try await store.createBucket()
        return store
    }

    /// The production pairing too: S3 for raw files and PostgreSQL for the catalog.
    @Test(arguments: StoreKind.allCases)
    func uploadRunAndDownloadThroughTheBucket(_ store: StoreKind) async throws {
        let objects = try await Self.store()
        let app = try await TestApp.make(store) { _ in objects }
        let csv = Bytes.productsCSV(rows: 2_000)
        try await app.testWithWorker { client in
            let upload = try await client.uploadRaw(csv, key: app.adminKey, query: "partner_name=acme&file_name=spring.csv")
            #expect(upload.status == .created)
            let feed = upload.json
            #expect(feed["raw_file_bucket"] as? String == objects.bucket)
            let key = try #require(feed["raw_file_s3_key"] as? String)
            #expect(key == "raw/partners/acme/feeds/FD00001/spring.csv")
            #expect(try await objects.metadata(key: key)?.sha256 == Bytes.sha256(csv))
            #expect(try await Bytes.collect(objects.read(key: key)) == csv)

            let job = try await client.run("JV00001", key: app.adminKey)
            #expect(job["status"] as? String == "completed")
            #expect((job["summary"] as? [String: Int])?["inserted"] == 2_000)
            #expect((job["summary"] as? [String: Int])?["skipped"] == 0)
            let raw = try await client.get("/feeds/FD00001/raw", key: app.adminKey)
            #expect(raw.status == .ok)
            #expect(Array(raw.body.readableBytesView) == csv)
        }
    }

    /// Above the multipart threshold (here one 8 MiB part) in parts, below it (the default) in one PUT;
    /// both as a form and as a raw body, and both come back byte for byte with their SHA-256 on the object.
    @Test(arguments: [8 << 20, S3Configuration.defaultMultipartThreshold])
    func aLargeUploadComesBackExactly(_ threshold: Int64) async throws {
        let objects = try await Self.store { $0.multipartThreshold = threshold }
        let app = try await TestApp.make { _ in objects }
        let csv = Bytes.productsCSV(rows: 300_000)
        #expect(csv.count > 2 * (8 << 20))
        try await app.test { client in
            let form = try await client.uploadMultipart(
                [.file(fileName: "big.csv", bytes: csv), .field("partner_name", "acme")], key: app.adminKey)
            let raw = try await client.uploadRaw(csv, key: app.adminKey, query: "partner_name=acme&file_name=big-raw.csv")
            for (upload, feedID) in [(form, "FD00001"), (raw, "FD00002")] {
                #expect(upload.status == .created)
                #expect(upload.json["sha256"] as? String == Bytes.sha256(csv))
                let key = try #require(upload.json["raw_file_s3_key"] as? String)
                #expect(try await objects.metadata(key: key)?.sha256 == Bytes.sha256(csv))
                let download = try await client.get("/feeds/\(feedID)/raw", key: app.adminKey)
                #expect(download.body.readableBytes == csv.count)
                #expect(Array(download.body.readableBytesView) == csv)
            }
        }
    }

    /// Over the upload limit (413, detected while streaming) or cut off by the client: nothing in the
    /// bucket or the database, and the spool file that held the bytes received so far is gone.
    @Test func anUploadOverTheLimitOrBrokenOffLeavesNothingBehind() async throws {
        struct ClientWentAway: Error {}
        let spool = TemporaryDirectory()
        let objects = try await Self.store { $0.spoolDirectory = spool.path }
        let app = try await TestApp.make(maxUploadBytes: 3 << 20) { _ in objects }
        let admin = Principal(keyID: "test", role: .admin, partner: nil)
        let csv = Bytes.productsCSV(rows: 100_000)
        #expect(csv.count > 4 << 20)
        let tooLarge = await #expect(throws: CatalogError.self) {
            _ = try await app.catalog.uploads.upload(
                UploadRequest(partnerName: "acme", fileName: "big.csv"), by: admin, body: Bytes.chunks(csv))
        }
        #expect(tooLarge?.code == .payloadTooLarge)
        let brokenOff = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            continuation.yield(ByteBuffer(bytes: csv.prefix(2 << 20)))
            continuation.finish(throwing: ClientWentAway())
        }
        await #expect(throws: ClientWentAway.self) {
            _ = try await app.catalog.uploads.upload(UploadRequest(partnerName: "acme", fileName: "cut.csv"), by: admin, body: brokenOff)
        }
        try await app.test { client in
            let feeds = try await client.get("/feeds", key: app.adminKey)
            #expect(feeds.json["count"] as? Int == 0)
        }
        for key in ["raw/partners/acme/feeds/FD00001/big.csv", "raw/partners/acme/feeds/FD00002/cut.csv"] {
            #expect(try await objects.metadata(key: key) == nil)
        }
        var open = Self.openSpoolFiles(in: spool.path)
        for _ in 0..<100 where open > 0 {  // closed on a pool thread, off the upload's path
            try await Task.sleep(for: .milliseconds(10))
            open = Self.openSpoolFiles(in: spool.path)
        }
        #expect(open == 0)
        #expect(spool.files().isEmpty)
    }

    /// Spool files this process holds open in `directory` (unlinked at once, /proc still names them).
    static func openSpoolFiles(in directory: String) -> Int {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.filter { fd in
            ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd)) ?? "").hasPrefix(directory + "/")
        }.count
    }

    @Test func anObjectChangedInTheBucketFailsTheJobWithChecksumMismatch() async throws {
        let objects = try await Self.store()
        let app = try await TestApp.make { _ in objects }
        try await app.testWithWorker { client in
            _ = try await client.uploadRaw(sampleCSV, key: app.adminKey, query: "partner_name=acme&file_name=a.csv")
            let key = "raw/partners/acme/feeds/FD00001/a.csv"
            // Replaced behind the service's back: deleted and written again with other bytes.
            var tampered = sampleCSV
            tampered[tampered.count - 2] = UInt8(ascii: "9")
            await objects.discard(key: key)
            _ = try await ObjectStoreContract.write(objects, key: key, bytes: tampered)

            let job = try await client.run("JV00001", key: app.adminKey)
            #expect(job["status"] as? String == "failed")
            #expect((job["error"] as? [String: String])?["code"] == "CHECKSUM_MISMATCH")
            #expect(try await app.products().isEmpty)
        }
    }

    @Test func aServerThatIsDownAnswers503AndRecordsNothing() async throws {
        let closed = try ClosedPort()
        defer { withExtendedLifetime(closed) {} }
        var configuration = S3Configuration(
            endpoint: "http://127.0.0.1:\(closed.port)", bucket: "down", accessKeyID: "AKIAEXAMPLE", secretAccessKey: "secret")
        configuration.retryBaseDelay = .milliseconds(10)
        let objects = try S3ObjectStore(configuration: configuration)
        let app = try await TestApp.make { _ in objects }
        try await app.test { client in
            for response in [
                try await client.uploadRaw(sampleCSV, key: app.adminKey, query: "partner_name=acme"),
                try await client.uploadMultipart([.file(fileName: "a.csv", bytes: sampleCSV), .field("partner_name", "acme")], key: app.adminKey),
            ] {
                #expect(response.status == .serviceUnavailable)
                #expect(response.errorCode == "STORAGE_UNAVAILABLE")
            }
            #expect(try await client.get("/feeds", key: app.adminKey).json["count"] as? Int == 0)
            #expect(try await client.get("/jobs", key: app.adminKey).json["count"] as? Int == 0)
            #expect(try await client.get("/partners", key: app.adminKey).json["count"] as? Int == 0)
            let ready = try await client.get("/ready", key: nil)
            #expect(ready.status == .serviceUnavailable)
            #expect((ready.errorDetails["object_store"] as? String)?.contains("after 3 attempts") == true)
        }
    }

    @Test func readyNamesRejectedCredentialsAndAMissingBucket() async throws {
        let good = try await Self.store()
        var wrongSecret = good.configuration
        wrongSecret.secretAccessKey += "x"
        var noBucket = good.configuration
        noBucket.bucket = "missing-" + good.configuration.bucket.suffix(20)
        for (configuration, expected) in [(wrongSecret, "SignatureDoesNotMatch"), (noBucket, "does not exist")] {
            let objects = try S3ObjectStore(configuration: configuration)
            let app = try await TestApp.make { _ in objects }
            try await app.test { client in
                let ready = try await client.get("/ready", key: nil)
                #expect(ready.status == .serviceUnavailable)
                #expect((ready.errorDetails["object_store"] as? String)?.contains(expected) == true, "\(ready.errorDetails)")
            }
        }
    }
}
