import CatalogS3
import Foundation

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
}
