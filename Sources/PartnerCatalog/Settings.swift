import ArgumentParser
import CatalogCore
import Foundation
import Logging

/// §Configuration: every setting comes from the environment and may be overridden by a flag.
struct StoreOptions: ParsableArguments {
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
    var s3MultipartThreshold: Int64?

    @Option(help: "Maximum upload size in bytes. [env: CATALOG_MAX_UPLOAD_BYTES, default: 1073741824]")
    var maxUploadBytes: Int64?

    @Option(help: "trace, debug, info, notice, warning, error or critical. [env: CATALOG_LOG_LEVEL, default: info]")
    var logLevel: String?

    @Flag(inversion: .prefixedNo, help: """
        Allow webhook and source URLs on loopback, private and link-local addresses (tests, on-premises vendors). \
        [env: CATALOG_ALLOW_PRIVATE_TARGETS, default: false]
        """)
    var allowPrivateTargets: Bool?

    func resolve() throws -> StoreSettings {
        let environment = ProcessInfo.processInfo.environment
        func value(_ flag: String?, _ name: String) -> String? {
            if let flag, !flag.isEmpty { return flag }
            if let env = environment[name], !env.isEmpty { return env }
            return nil
        }
        let maxUpload: Int64
        if let maxUploadBytes {
            maxUpload = maxUploadBytes
        } else if let raw = environment["CATALOG_MAX_UPLOAD_BYTES"], !raw.isEmpty {
            guard let parsed = Int64(raw) else {
                throw CatalogError.validation("CATALOG_MAX_UPLOAD_BYTES must be a number of bytes.", parameter: "CATALOG_MAX_UPLOAD_BYTES")
            }
            maxUpload = parsed
        } else {
            maxUpload = 1 << 30
        }
        guard maxUpload > 0 else {
            throw CatalogError.validation("The upload limit must be positive.", parameter: "CATALOG_MAX_UPLOAD_BYTES")
        }
        var multipartThreshold = s3MultipartThreshold
        if multipartThreshold == nil, let raw = environment["CATALOG_S3_MULTIPART_THRESHOLD"], !raw.isEmpty {
            guard let parsed = Int64(raw) else {
                throw CatalogError.validation(
                    "CATALOG_S3_MULTIPART_THRESHOLD must be a number of bytes.", parameter: "CATALOG_S3_MULTIPART_THRESHOLD", value: raw)
            }
            multipartThreshold = parsed
        }
        let level = try logLevel(default: .info)
        var allowPrivate = false
        if let allowPrivateTargets {
            allowPrivate = allowPrivateTargets
        } else if let raw = environment["CATALOG_ALLOW_PRIVATE_TARGETS"]?.lowercased(), !raw.isEmpty {
            guard let parsed = BooleanWord.parse(raw) else {
                throw CatalogError.validation(
                    "CATALOG_ALLOW_PRIVATE_TARGETS must be true or false.", parameter: "CATALOG_ALLOW_PRIVATE_TARGETS", value: raw)
            }
            allowPrivate = parsed
        }
        return StoreSettings(
            dataDirectory: value(dataDir, "CATALOG_DATA_DIR") ?? "./data",
            databaseURL: value(databaseURL, "CATALOG_DATABASE_URL"),
            objectStore: value(objectStore, "CATALOG_OBJECT_STORE"),
            s3: S3Settings(
                endpoint: value(s3Endpoint, "CATALOG_S3_ENDPOINT"), region: value(s3Region, "CATALOG_S3_REGION") ?? "us-east-1",
                accessKeyID: value(nil, "AWS_ACCESS_KEY_ID"), secretAccessKey: value(nil, "AWS_SECRET_ACCESS_KEY"),
                multipartThreshold: multipartThreshold),
            maxUploadBytes: maxUpload,
            logLevel: level,
            allowPrivateTargets: allowPrivate,
            secretKey: value(nil, "CATALOG_SECRET_KEY"))
    }
}

extension StoreOptions {
    /// `--log-level`, else `CATALOG_LOG_LEVEL`, else `defaultLevel`.
    func logLevel(default defaultLevel: Logger.Level) throws -> Logger.Level {
        let name = logLevel.flatMap { $0.isEmpty ? nil : $0 }
            ?? ProcessInfo.processInfo.environment["CATALOG_LOG_LEVEL"].flatMap { $0.isEmpty ? nil : $0 }
        guard let name else { return defaultLevel }
        guard let level = Logger.Level(rawValue: name.lowercased()) else {
            throw CatalogError.validation(
                "Unknown log level '\(name)': use trace, debug, info, notice, warning, error or critical.",
                parameter: "CATALOG_LOG_LEVEL", value: name)
        }
        return level
    }
}

/// `CATALOG_WORKERS` and `CATALOG_AUTO_RUN`.
struct WorkerOptions: ParsableArguments {
    @Option(help: "Job workers in this process (0: none). [env: CATALOG_WORKERS, default: 1]")
    var workers: Int?

    @Flag(inversion: .prefixedNo, help: "Queue each uploaded feed's validation job to run at once, without POST /jobs/{id}/run. [env: CATALOG_AUTO_RUN, default: false]")
    var autoRun: Bool?

    func resolve() throws -> (count: Int, autoRun: Bool) {
        let environment = ProcessInfo.processInfo.environment
        var count = 1
        if let workers {
            count = workers
        } else if let raw = environment["CATALOG_WORKERS"], !raw.isEmpty {
            guard let parsed = Int(raw) else {
                throw CatalogError.validation("CATALOG_WORKERS must be a whole number.", parameter: "CATALOG_WORKERS", value: raw)
            }
            count = parsed
        }
        guard (0...64).contains(count) else {
            throw CatalogError.validation("The number of workers must be from 0 to 64.", parameter: "CATALOG_WORKERS")
        }
        var run = false
        if let autoRun {
            run = autoRun
        } else if let raw = environment["CATALOG_AUTO_RUN"]?.lowercased(), !raw.isEmpty {
            guard let parsed = BooleanWord.parse(raw) else {
                throw CatalogError.validation("CATALOG_AUTO_RUN must be true or false.", parameter: "CATALOG_AUTO_RUN", value: raw)
            }
            run = parsed
        }
        return (count, run)
    }
}

struct StoreSettings {
    var dataDirectory: String
    var databaseURL: String?
    var objectStore: String?
    var s3: S3Settings
    var maxUploadBytes: Int64
    var logLevel: Logger.Level
    var allowPrivateTargets = false
    /// Seals sources' credentials (`CATALOG_SECRET_KEY`; from the environment only, never a flag).
    var secretKey: String?

    var databasePath: String { dataDirectory + "/catalog.sqlite" }
    var objectsDirectory: String { dataDirectory + "/objects" }
    var spoolDirectory: String { dataDirectory + "/tmp" }
}

/// Used when `objectStore` is `s3://bucket`; credentials come from the environment only, never from flags.
struct S3Settings {
    var endpoint: String?
    var region: String
    var accessKeyID: String?
    var secretAccessKey: String?
    /// Bytes up to which an upload goes in one PUT; nil for the adapter's default.
    var multipartThreshold: Int64?
}

/// The boolean words every setting takes.
enum BooleanWord {
    static func parse(_ raw: String) -> Bool? {
        switch raw.lowercased() {
        case "true", "1", "yes", "on": true
        case "false", "0", "no", "off": false
        default: nil
        }
    }
}
