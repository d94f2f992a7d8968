import ArgumentParser
import CatalogApp
import CatalogCore
import Foundation
import Logging

/// Flags stand in for the environment variables they name; `CatalogConfiguration.read` reads the
/// result, so a flag and its variable take the same words and fail with the same error.
protocol SettingFlags {
    /// Variable name → the flag's value, for the flags given.
    var given: [String: String] { get }
}

extension SettingFlags {
    /// The process's configuration: its environment with these flags in their variables' place.
    func configuration(_ more: [any SettingFlags] = []) throws -> CatalogConfiguration {
        var values = ProcessInfo.processInfo.environment
        var fromFlags: Set<String> = []
        for flags in [self] + more {
            values.merge(flags.given) { $1 }
            fromFlags.formUnion(flags.given.keys)
        }
        return try CatalogConfiguration.read(values, fromFlags: fromFlags)
    }
}

/// §Configuration for every command that opens the store.
struct StoreOptions: ParsableArguments, SettingFlags {
    @Option(help: "Folder for the embedded database, local object store and cache. [env: CATALOG_DATA_DIR, default: ./data]")
    var dataDir: String?

    @Option(help: "postgres://user:pass@host:port/db for PostgreSQL; unset for embedded SQLite. [env: CATALOG_DATABASE_URL]")
    var databaseURL: String?

    @Option(help: "s3://bucket for an S3-compatible store; unset for {data dir}/objects. [env: CATALOG_OBJECT_STORE]")
    var objectStore: String?

    @Option(name: .customLong("s3-endpoint"), help: "S3-compatible endpoint, path-style. [env: CATALOG_S3_ENDPOINT, default: AWS]")
    var s3Endpoint: String?

    @Option(name: .customLong("s3-region"), help: "Region for S3 signing. [env: CATALOG_S3_REGION, default: us-east-1]")
    var s3Region: String?

    @Option(
        name: .customLong("s3-multipart-threshold"),
        help: "Uploads up to this many bytes go to S3 in one PUT, larger ones as a multipart upload (at most 5 GiB). [env: CATALOG_S3_MULTIPART_THRESHOLD, default: 536870912]")
    var s3MultipartThreshold: String?

    @Option(help: "Maximum upload size in bytes. [env: CATALOG_MAX_UPLOAD_BYTES, default: 1073741824]")
    var maxUploadBytes: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical. [env: CATALOG_LOG_LEVEL, default: info]")
    var logLevel: String?

    @Flag(inversion: .prefixedNo, help: """
        Allow webhook and source URLs on loopback, private and link-local addresses (tests, on-premises vendors). \
        [env: CATALOG_ALLOW_PRIVATE_TARGETS, default: false]
        """)
    var allowPrivateTargets: Bool?

    var given: [String: String] {
        SettingFlagsGiven.collect([
            ("CATALOG_DATA_DIR", dataDir), ("CATALOG_DATABASE_URL", databaseURL), ("CATALOG_OBJECT_STORE", objectStore),
            ("CATALOG_S3_ENDPOINT", s3Endpoint), ("CATALOG_S3_REGION", s3Region),
            ("CATALOG_S3_MULTIPART_THRESHOLD", s3MultipartThreshold), ("CATALOG_MAX_UPLOAD_BYTES", maxUploadBytes),
            ("CATALOG_LOG_LEVEL", logLevel), ("CATALOG_ALLOW_PRIVATE_TARGETS", allowPrivateTargets.map(String.init)),
        ])
    }
}

/// `CATALOG_WORKERS` and `CATALOG_AUTO_RUN`.
struct WorkerOptions: ParsableArguments, SettingFlags {
    @Option(help: "Job workers in this process, 0 to 64 (0: none). [env: CATALOG_WORKERS, default: 1]")
    var workers: String?

    @Flag(inversion: .prefixedNo, help: "Queue each uploaded feed's validation job to run at once, without POST /jobs/{id}/run. [env: CATALOG_AUTO_RUN, default: false]")
    var autoRun: Bool?

    var given: [String: String] { SettingFlagsGiven.collect([("CATALOG_WORKERS", workers), ("CATALOG_AUTO_RUN", autoRun.map(String.init))]) }
}

/// `serve`'s address, admin key and the limits it holds its clients to.
struct ServeOptions: ParsableArguments, SettingFlags {
    @Option(help: "Listen address. [env: CATALOG_HOST, default: 127.0.0.1]")
    var host: String?

    @Option(help: "Listen port. [env: CATALOG_PORT, default: 8080]")
    var port: String?

    @Option(help: "Registered as an admin key at start. [env: CATALOG_ADMIN_KEY]")
    var adminKey: String?

    @Option(help: "Open client connections; beyond it new connections are refused at once. [env: CATALOG_MAX_CONNECTIONS, default: 1024]")
    var maxConnections: String?

    @Option(help: "Close an idle keep-alive connection, or one whose request head is incomplete, after this: 60s, 2m, 1h or seconds; 0: never. [env: CATALOG_IDLE_TIMEOUT, default: 60s]")
    var idleTimeout: String?

    @Option(help: "Failed authentications per client address and minute before 429 RATE_LIMITED; 0: no limit. [env: CATALOG_AUTH_FAILURES_PER_MINUTE, default: 30]")
    var authFailuresPerMinute: String?

    @Option(help: "Uploads of one partner in progress at once; the next gets 429 RATE_LIMITED. [env: CATALOG_MAX_UPLOADS_PER_PARTNER, default: 4]")
    var maxUploadsPerPartner: String?

    var given: [String: String] {
        SettingFlagsGiven.collect([
            ("CATALOG_HOST", host), ("CATALOG_PORT", port), ("CATALOG_ADMIN_KEY", adminKey), ("CATALOG_MAX_CONNECTIONS", maxConnections),
            ("CATALOG_IDLE_TIMEOUT", idleTimeout), ("CATALOG_AUTH_FAILURES_PER_MINUTE", authFailuresPerMinute),
            ("CATALOG_MAX_UPLOADS_PER_PARTNER", maxUploadsPerPartner),
        ])
    }
}

enum SettingFlagsGiven {
    /// The flags that were given, by variable name; an empty flag leaves its variable as it is.
    static func collect(_ pairs: [(String, String?)]) -> [String: String] {
        var values: [String: String] = [:]
        for (name, value) in pairs { if let value, !value.isEmpty { values[name] = value } }
        return values
    }
}

extension StoreOptions {
    /// The builder of a command's process, from the configuration with these flags and `more`.
    func builder(_ more: [any SettingFlags] = [], label: String = "partner-catalog") throws -> CatalogBuilder {
        let configuration = try configuration(more)
        // The level is the bootstrapped handler's (LoggingSetup), which knows the command's default.
        return CatalogBuilder(configuration, logger: Logger(label: label))
    }

    /// The catalog of a one-shot command (`partners`, `keys`, …).
    func catalog() async throws -> Catalog {
        try await builder().catalog().catalog
    }
}
