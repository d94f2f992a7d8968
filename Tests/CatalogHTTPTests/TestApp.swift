import CatalogApp
import CatalogCore
import CatalogFileStore
import CatalogHTTP
import CatalogPostgres
import CatalogSQLite
import CatalogTestSupport
import Foundation
import GRDB
import Hummingbird
import Logging
import CoreMetrics
import Prometheus
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The store adapters that the store-facing tests run on, each one in turn.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// A catalog on a throwaway store (an embedded SQLite file, or a fresh PostgreSQL database) and a
/// local object folder, with an admin key, served through the router.
struct TestApp {
    let directory: TemporaryDirectory
    let catalog: Catalog
    let adminKey: String
    let kind: StoreKind
    /// The PostgreSQL database's URL, for `.postgres`.
    let databaseURL: String?
    /// Follows the change feed as `serve` does: into the node's product cache (PostgreSQL) or for the
    /// live streams only (embedded).
    let follower: ProductFeedFollower
    /// The follower's loop, for as long as the app is used.
    let running: BackgroundTask

    static func make(
        _ kind: StoreKind = .sqlite, maxUploadBytes: Int64 = 1 << 30, clock: any CatalogClock = SystemClock(), autoRun: Bool = false,
        allowPrivateTargets: Bool = false, wrapObjects: @escaping @Sendable (any ObjectStore) -> any ObjectStore = { $0 }, disk: (any DiskSpaceProbe)? = nil,
        followKeys: Bool = false, secretKey: String? = "test-secret-key"
    ) async throws -> TestApp {
        let directory = TemporaryDirectory()
        // `serve`'s builder, with the test's clock, objects and disk, a quick catch-up and a generous PostgreSQL timeout.
        var configuration = CatalogConfiguration(dataDirectory: directory.path)
        configuration.databaseURL = kind == .postgres ? try await TestPostgres.freshDatabaseURL() : nil
        configuration.maxUploadBytes = maxUploadBytes
        configuration.autoRun = autoRun
        configuration.allowPrivateTargets = allowPrivateTargets
        configuration.secretKey = secretKey
        var logger = Logger(label: "test-read-model")
        logger.logLevel = .error
        var builder = CatalogBuilder(configuration, logger: logger)
        builder.clock = clock
        builder.wrapObjects = wrapObjects
        builder.disk = disk ?? LocalDiskSpace(path: directory.path)
        builder.catchUpInterval = 1
        builder.cacheFile = directory.path + "/cache/products.sqlite"
        builder.postgresRequestTimeout = .seconds(60)
        builder.checksObjectStoreAtStart = false  // some tests serve over an object store that is down on purpose
        let node = try await builder.node()
        guard case .generated(let adminKey) = node.adminKey else { fatalError("a fresh store had a key already") }
        let (catalog, follower, keyTable, store) = (node.catalog, node.follower, node.keyTable, node.catalog.store)
        let databaseURL = configuration.databaseURL
        // Keys from memory, as `serve` checks them; changes through this catalog refresh the table at once.
        // Following changes made elsewhere (`followKeys`) polls the store twice a second, which would cost
        // every PostgreSQL test app a second pooled connection: only the tests that need it ask.
        let tableLogger = { var quiet = logger; quiet.logLevel = .critical; return quiet }()
        let running = BackgroundTask {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await follower.run() }
                if followKeys { group.addTask { await keyTable.follow(store, logger: tableLogger) } }
            }
        }
        return TestApp(
            directory: directory, catalog: catalog, adminKey: adminKey, kind: kind, databaseURL: databaseURL, follower: follower,
            running: running)
    }

    /// The same app as another node would be: `catalog` over the same database and objects.
    func node(catalog: Catalog) -> TestApp {
        TestApp(directory: directory, catalog: catalog, adminKey: adminKey, kind: kind, databaseURL: databaseURL, follower: follower, running: running)
    }

    /// Serves the router to `body`; `logger` (quiet by default) is the application's, as `serve` passes its own.
    func test(
        logger: Logger? = nil, limits: ServerLimits = ServerLimits(), _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let app = Application(router: router(limits), logger: logger ?? Self.quietLogger)
        try await app.test(.router, body)
    }

    /// Serves the app on a real loopback port with `serve`'s HTTP server and `limits` (for tests that
    /// speak HTTP over a socket of their own: `client.port` is where to connect).
    /// `eventLoops`: where the server's connections live (the process-wide loops unless a test brings its own).
    func testLive(
        limits: ServerLimits = ServerLimits(), pingInterval: Duration = .seconds(15), logger: Logger? = nil,
        eventLoops: EventLoopGroupProvider = .singleton,
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let logger = logger ?? Self.quietLogger
        let app = Application(
            router: router(limits, pingInterval: pingInterval), server: CatalogHTTP.server(limits, logger: logger),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)), eventLoopGroupProvider: eventLoops, logger: logger)
        try await app.test(.live, body)
    }

    func router(_ limits: ServerLimits, pingInterval: Duration = .seconds(15)) -> Router<CatalogRequestContext> {
        CatalogHTTP.router(
            catalog: catalog, spoolDirectory: directory.path + "/tmp", registry: TestMetrics.registry, limits: limits, pingInterval: pingInterval)
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "partner-catalog-tests")
        logger.logLevel = .critical  // 5xx request lines are at error; the tests that cause them check the answers
        return logger
    }

    /// A task worker with the validation handler, quick to poll and heartbeat; `retryBaseDelay` 0 unless set.
    func worker(
        _ owner: String = "test-worker", logger: Logger? = nil, retryBaseDelay: TimeInterval = 0,
        configure: (inout TaskWorker.Settings) -> Void = { _ in }
    ) -> TaskWorker {
        var settings = TaskWorker.Settings()
        settings.pollInterval = 0.01
        settings.heartbeatInterval = 0.05
        configure(&settings)
        let logger = logger ?? {
            var logger = Logger(label: "test-worker")
            logger.logLevel = .critical  // failed jobs log at error; the tests that fail them on purpose check the job instead
            return logger
        }()
        let handler = FeedValidationHandler(catalog: catalog, retryBaseDelay: retryBaseDelay, logger: logger)
        return TaskWorker(
            queue: catalog.store, handlers: [handler], clock: catalog.clock, owner: owner, settings: settings,
            wake: catalog.events.queued, logger: logger)
    }

    /// Serves the router with a job worker running beside it.
    func testWithWorker(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let worker = self.worker()
        let running = Task { await worker.run() }
        defer { running.cancel() }
        try await test(body)
    }

    /// Products as the database holds them: sku → (price units, status).
    func products() async throws -> [String: (price: Int64, status: String)] {
        var result: [String: (Int64, String)] = [:]
        for row in try await rows("SELECT sku, price_units, status FROM products") {
            result[row["sku"]! ?? ""] = (Int64(row["price_units"]! ?? "") ?? -1, row["status"]! ?? "")
        }
        return result
    }

    /// The rows of a query on the app's database, every value as text (nil for NULL).
    func rows(_ sql: String) async throws -> [[String: String?]] {
        switch kind {
        case .sqlite:
            let queue = try DatabaseQueue(path: directory.path + "/catalog.sqlite")
            return try await queue.read { db in
                try Row.fetchAll(db, sql: sql).map { row in
                    var values: [String: String?] = [:]
                    for (column, value) in row {
                        switch value.storage {
                        case .null: values[column] = .some(nil)
                        case .int64(let number): values[column] = String(number)
                        case .double(let number): values[column] = String(number)
                        case .string(let text): values[column] = text
                        case .blob(let data): values[column] = String(decoding: data, as: UTF8.self)
                        }
                    }
                    return values
                }
            }
        case .postgres:
            return try await TestPostgres.rows(sql, url: databaseURL)
        }
    }

    /// Raw files in the object store, excluding its temporary folder.
    var storedObjects: [String] {
        directory.files(under: "objects").filter { !$0.hasPrefix(".tmp/") }
    }

    func createPartner(_ name: String) async throws -> (Partner, String) {
        let admin = Principal(keyID: "test", role: .admin, partner: nil)
        let (partner, key) = try await catalog.partners.create(name: name, displayName: nil, by: admin)
        return (partner, key.secret)
    }

    func createKey(_ role: Role) async throws -> String {
        try await catalog.keys.create(role: role, partnerName: nil, label: nil).secret
    }
}

struct Multipart {
    static let boundary = "----partner-catalog-test-boundary"

    enum Part {
        case field(String, String)
        case file(name: String = "file", fileName: String, bytes: [UInt8])
    }

    static func body(_ parts: [Part]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for part in parts {
            buffer.writeString("--\(boundary)\r\n")
            switch part {
            case .field(let name, let value):
                buffer.writeString("Content-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
            case .file(let name, let fileName, let bytes):
                buffer.writeString("Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(fileName)\"\r\n")
                // What curl sends for a file whose extension it does not know (.csv, .ndjson, …).
                buffer.writeString("Content-Type: application/octet-stream\r\n\r\n")
                buffer.writeBytes(bytes)
                buffer.writeString("\r\n")
            }
        }
        buffer.writeString("--\(boundary)--\r\n")
        return buffer
    }

    static var contentType: String { "multipart/form-data; boundary=\(boundary)" }
}

enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorDetails: [String: Any] { ((json["error"] as? [String: Any])?["details"] as? [String: Any]) ?? [:] }
    var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
}

func headers(key: String?, _ extra: [HTTPField.Name: String] = [:]) -> HTTPFields {
    var fields = HTTPFields()
    if let key { fields[HTTPField.Name("X-API-Key")!] = key }
    for (name, value) in extra { fields[name] = value }
    return fields
}

let csvContentType: [HTTPField.Name: String] = [.contentType: "text/csv"]

extension TestClientProtocol {
    /// Uploads `bytes` as a raw body; `query` holds the upload parameters.
    func uploadRaw(
        _ bytes: [UInt8], key: String, query: String = "", extra: [HTTPField.Name: String] = [:]
    ) async throws -> TestResponse {
        var fields = csvContentType
        for (name, value) in extra { fields[name] = value }
        return try await execute(
            uri: "/feeds/upload" + (query.isEmpty ? "" : "?" + query), method: .post,
            headers: headers(key: key, fields), body: ByteBuffer(bytes: bytes))
    }

    func uploadMultipart(_ parts: [Multipart.Part], key: String, extra: [HTTPField.Name: String] = [:]) async throws -> TestResponse {
        var fields: [HTTPField.Name: String] = [.contentType: Multipart.contentType]
        for (name, value) in extra { fields[name] = value }
        return try await execute(uri: "/feeds/upload", method: .post, headers: headers(key: key, fields), body: Multipart.body(parts))
    }

    /// Runs a validation job and waits for it; returns the finished job.
    /// Waits up to 180 s: the whole suite shares two cores, and on a busy machine a job of a few rows
    /// has waited more than 30 s for its turn (seen in CI); what the tests check is that it finishes.
    func run(_ jobID: String, key: String) async throws -> [String: Any] {
        let response = try await execute(uri: "/jobs/\(jobID)/run?wait=true&timeout=180", method: .post, headers: headers(key: key))
        return response.json
    }

    func get(_ uri: String, key: String?) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: headers(key: key))
    }
}

let sampleCSV = Array("sku,product_name,price\nA-1,Alpha,1.00\nB-2,Beta,2.50\n".utf8)

/// swift-metrics is bootstrapped once per process; every test app serves this registry.
enum TestMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

/// A task that runs until the last reference to it goes.
final class BackgroundTask: Sendable {
    private let task: Task<Void, Never>
    init(_ body: @escaping @Sendable () async -> Void) { task = Task { await body() } }
    deinit { task.cancel() }
}
