import CatalogCore
import CatalogCurl
import CatalogTestSupport
import Foundation
import Logging

/// `scripts/vendor_sim.py` on a loopback port, for the duration of a test: the vendors' files and
/// APIs that sources fetch (§Sources), with a log of the requests it got.
final class VendorSimulator: @unchecked Sendable {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/vendor_sim.py").path

    let pid: pid_t
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }
    private let directory = TemporaryDirectory()

    init() async throws {
        let portFile = directory.path + "/port"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, directory.path + "/sim.log", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = ["/usr/bin/env", "python3", Self.script, "--port", "0", "--port-file", portFile]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, "/usr/bin/env", &actions, nil, argv, envp)
        guard result == 0 else { throw ReadPathTestError(description: "cannot start the vendor simulator: \(result)") }
        pid = child
        var found: Int?
        for _ in 0..<300 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let number = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                found = number
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard let found else {
            kill(child, SIGKILL)
            throw ReadPathTestError(description: "the vendor simulator did not start: \((try? String(contentsOfFile: directory.path + "/sim.log", encoding: .utf8)) ?? "")")
        }
        port = found
    }

    deinit {
        // SIGKILL: a child spawned from a test thread inherits its blocked signals, SIGTERM among them.
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// The requests the simulator got, oldest first, and the most it had in flight per host.
    func log() async throws -> (requests: [[String: Any]], maxConcurrent: [String: Int]) {
        let response = try await Self.http.send(OutboundRequest(
            method: "GET", url: base + "/_log", headers: [], body: [], timeout: 10, maxResponseBytes: 16 << 20, allowPrivateTargets: true))
        let json = (try JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        return (json["requests"] as? [[String: Any]] ?? [], json["max_concurrent"] as? [String: Int] ?? [:])
    }

    func control(_ path: String) async throws {
        let response = try await Self.http.send(OutboundRequest(
            method: "POST", url: base + path, headers: [], body: [], timeout: 10, maxResponseBytes: 1 << 16, allowPrivateTargets: true))
        guard (200..<300).contains(response.status) else { throw ReadPathTestError(description: "\(path): \(response.status)") }
    }

    static let http = CurlHTTPClient(threads: 2)
}

extension TestApp {
    /// A worker for source fetches, through the real libcurl client; retries wait `retryDelay`.
    func fetchWorker(_ owner: String = "fetcher", allowPrivateTargets: Bool = true, retryDelay: TimeInterval = 0.05) -> TaskWorker {
        var logger = Logger(label: "test-sources")
        logger.logLevel = .critical
        var settings = TaskWorker.Settings()
        settings.pollInterval = 0.01
        settings.heartbeatInterval = 0.2
        let fetcher = SourceFetcher(
            uploads: catalog.uploads, http: VendorSimulator.http, secrets: catalog.secretBox, pacer: HostPacer(),
            allowPrivateTargets: allowPrivateTargets, retryDelays: [retryDelay, retryDelay, retryDelay], logger: logger)
        let handler = SourceFetchHandler(store: catalog.store, fetcher: fetcher, clock: catalog.clock, events: catalog.events, logger: logger)
        return TaskWorker(queue: catalog.store, handlers: [handler], clock: catalog.clock, owner: owner, settings: settings,
                          wake: catalog.events.queued, logger: logger)
    }
}
