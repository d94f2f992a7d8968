import CatalogS3
import Foundation
import Testing

/// The signature-checking S3 server the tests run against, from the variables `scripts/start-moto.sh` writes.
enum S3TestServer {
    struct Missing: Error, CustomStringConvertible {
        let variable: String
        var description: String {
            "\(variable) is not set: the S3 tests need a signature-checking S3 server. "
                + "Run them through `make test` or `scripts/with-moto.sh swift test`."
        }
    }

    static func variable(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { throw Missing(variable: name) }
        return value
    }

    /// The server's settings with the prepared bucket and the real key.
    static func configuration(bucket: String? = nil) throws -> S3Configuration {
        var configuration = S3Configuration(
            endpoint: try variable("CATALOG_TEST_S3_ENDPOINT"),
            region: try variable("CATALOG_TEST_S3_REGION"),
            bucket: try bucket ?? variable("CATALOG_TEST_S3_BUCKET"),
            accessKeyID: try variable("CATALOG_TEST_S3_ACCESS_KEY_ID"),
            secretAccessKey: try variable("CATALOG_TEST_S3_SECRET_ACCESS_KEY"))
        configuration.retryBaseDelay = .milliseconds(20)
        return configuration
    }

    /// A store on a bucket of its own, created for one test, so that tests never share keys.
    static func freshStore(configure: (inout S3Configuration) -> Void = { _ in }) async throws -> S3ObjectStore {
        var configuration = try configuration(bucket: "t-" + UUID().uuidString.lowercased())
        configure(&configuration)
        let store = try S3ObjectStore(configuration: configuration)
        try await store.createBucket()
        return store
    }

    /// A fresh store that sends objects above 8 MiB (one part) as multipart uploads.
    static func freshMultipartStore(configure: (inout S3Configuration) -> Void = { _ in }) async throws -> S3ObjectStore {
        try await freshStore {
            $0.multipartThreshold = 8 << 20
            configure(&$0)
        }
    }
}

/// The two ways an object goes up: one PUT (the default threshold), or parts above a small threshold.
enum UploadPath: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case singlePut
    case multipart

    var testDescription: String { rawValue }

    func store() async throws -> S3ObjectStore {
        switch self {
        case .singlePut: try await S3TestServer.freshStore()
        case .multipart: try await S3TestServer.freshMultipartStore()
        }
    }
}

/// Spool files this process holds open in `directory` (they have no name: /proc shows them as deleted).
func openSpoolFiles(in directory: String) -> Int {
    let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return descriptors.filter { fd in
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd)) ?? ""
        return target.hasPrefix(directory + "/s3-spool-")
    }.count
}

/// Waits up to a second for the spool files in `directory` to be closed (the writer closes them on a
/// pool thread, off the upload's path).
func spoolFilesClosed(in directory: String) async -> Bool {
    for _ in 0..<100 {
        if openSpoolFiles(in: directory) == 0 { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return openSpoolFiles(in: directory) == 0
}
