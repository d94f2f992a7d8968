import CatalogCore
import CatalogHTTP
import Foundation
import Logging

/// §Configuration: every setting of every command, in one value. `read(_:)` is the one place that
/// turns the environment (with the command line's flags in the place of their variables) into it.
public struct CatalogConfiguration: Sendable {
    /// `CATALOG_DATA_DIR`: the embedded database, the local object store, spool files and node caches.
    public var dataDirectory = "./data"
    /// `CATALOG_DATABASE_URL`: PostgreSQL; nil for the embedded SQLite file.
    public var databaseURL: String?
    /// `CATALOG_OBJECT_STORE`: `s3://bucket`; nil for `{data dir}/objects`.
    public var objectStore: String?
    public var s3 = S3Settings()
    /// `CATALOG_MAX_UPLOAD_BYTES`.
    public var maxUploadBytes: Int64 = 1 << 30
    /// `CATALOG_LOG_LEVEL`; nil for the command's own default.
    public var logLevel: Logger.Level?
    /// `CATALOG_ALLOW_PRIVATE_TARGETS`: webhook and source URLs on loopback and private addresses.
    public var allowPrivateTargets = false
    /// `CATALOG_SECRET_KEY` (environment only): seals sources' credentials.
    public var secretKey: String?
    /// `CATALOG_HOST`, `CATALOG_PORT`: where `serve` listens.
    public var host = "127.0.0.1"
    public var port = 8080
    /// `CATALOG_ADMIN_KEY`: registered as an admin key when `serve` starts.
    public var adminKey: String?
    /// `CATALOG_WORKERS`: validation-job workers in this process (0: none).
    public var workers = 1
    /// `CATALOG_AUTO_RUN`: a stored feed's validation job is queued at once.
    public var autoRun = false
    /// `CATALOG_MAX_CONNECTIONS`, `CATALOG_IDLE_TIMEOUT`, `CATALOG_AUTH_FAILURES_PER_MINUTE`, `CATALOG_MAX_UPLOADS_PER_PARTNER`.
    public var limits = ServerLimits()

    public init(dataDirectory: String = "./data") {
        self.dataDirectory = dataDirectory
    }

    public var databasePath: String { dataDirectory + "/catalog.sqlite" }
    public var objectsDirectory: String { dataDirectory + "/objects" }
    public var spoolDirectory: String { dataDirectory + "/tmp" }
    public var cacheDirectory: String { dataDirectory + "/cache" }

    /// Reads every setting from `values` (variable name → text; empty means unset). A bad value is one
    /// clear error naming its variable, and its flag (`--port (CATALOG_PORT) must be …`) when the value
    /// came from the command line (`fromFlags`: those variables' names).
    public static func read(_ values: [String: String], fromFlags: Set<String> = []) throws -> CatalogConfiguration {
        do {
            return try read(SettingValues(values))
        } catch var error as CatalogError {
            if case .string(let name)? = error.details["parameter"], fromFlags.contains(name), error.message.hasPrefix(name) {
                error.message = "\(flag(of: name)) (\(name))" + error.message.dropFirst(name.count)
            }
            throw error
        }
    }

    /// The command-line flag that stands in for a variable: `CATALOG_MAX_UPLOAD_BYTES` → `--max-upload-bytes`.
    public static func flag(of variable: String) -> String {
        let name = variable.hasPrefix("CATALOG_") ? variable.dropFirst("CATALOG_".count) : Substring(variable)
        return "--" + name.lowercased().replacingOccurrences(of: "_", with: "-")
    }

    private static func read(_ settings: SettingValues) throws -> CatalogConfiguration {
        var configuration = CatalogConfiguration(dataDirectory: settings.text("CATALOG_DATA_DIR") ?? "./data")
        configuration.databaseURL = settings.text("CATALOG_DATABASE_URL")
        configuration.objectStore = settings.text("CATALOG_OBJECT_STORE")
        configuration.s3 = S3Settings(
            endpoint: settings.text("CATALOG_S3_ENDPOINT"), region: settings.text("CATALOG_S3_REGION") ?? "us-east-1",
            accessKeyID: settings.text("AWS_ACCESS_KEY_ID"), secretAccessKey: settings.text("AWS_SECRET_ACCESS_KEY"),
            multipartThreshold: try settings.bytes("CATALOG_S3_MULTIPART_THRESHOLD", minimum: 0))
        configuration.maxUploadBytes = try settings.bytes("CATALOG_MAX_UPLOAD_BYTES", minimum: 1) ?? configuration.maxUploadBytes
        configuration.logLevel = try settings.logLevel("CATALOG_LOG_LEVEL")
        configuration.allowPrivateTargets = try settings.boolean("CATALOG_ALLOW_PRIVATE_TARGETS") ?? false
        configuration.secretKey = settings.text("CATALOG_SECRET_KEY")
        configuration.host = settings.text("CATALOG_HOST") ?? configuration.host
        configuration.port = try settings.whole("CATALOG_PORT", in: 0...65535) ?? configuration.port
        configuration.adminKey = settings.text("CATALOG_ADMIN_KEY")
        configuration.workers = try settings.whole("CATALOG_WORKERS", in: 0...64) ?? configuration.workers
        configuration.autoRun = try settings.boolean("CATALOG_AUTO_RUN") ?? false
        var limits = ServerLimits()
        limits.maxConnections = try settings.whole("CATALOG_MAX_CONNECTIONS", in: 1...Int.max) ?? limits.maxConnections
        limits.authFailuresPerMinute = try settings.whole("CATALOG_AUTH_FAILURES_PER_MINUTE", in: 0...Int.max) ?? limits.authFailuresPerMinute
        limits.uploadsPerPartner = try settings.whole("CATALOG_MAX_UPLOADS_PER_PARTNER", in: 1...Int.max) ?? limits.uploadsPerPartner
        if let timeout = try settings.duration("CATALOG_IDLE_TIMEOUT") { limits.idleTimeout = timeout == .zero ? nil : timeout }
        configuration.limits = limits
        return configuration
    }
}

/// Used when `objectStore` is `s3://bucket`; credentials come from the environment only, never from flags.
public struct S3Settings: Sendable {
    public var endpoint: String?
    public var region = "us-east-1"
    public var accessKeyID: String?
    public var secretAccessKey: String?
    /// Bytes up to which an upload goes in one PUT; nil for the adapter's default.
    public var multipartThreshold: Int64?

    public init(
        endpoint: String? = nil, region: String = "us-east-1", accessKeyID: String? = nil, secretAccessKey: String? = nil,
        multipartThreshold: Int64? = nil
    ) {
        self.endpoint = endpoint
        self.region = region
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.multipartThreshold = multipartThreshold
    }
}
