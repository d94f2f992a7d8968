import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `partner-catalog` executable that `swift build` put beside the test bundle, run as a child process.
final class CatalogProcess: @unchecked Sendable {
    static var executable: String {
        get throws {
            let candidates = [
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("partner-catalog").path,
                URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                    .appendingPathComponent(".build/debug/partner-catalog").path,
            ]
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
                throw HarnessError("partner-catalog is not built (looked in \(candidates)); run `swift build` first.")
            }
            return found
        }
    }

    let child: ChildProcess
    let output: String

    /// Starts `partner-catalog ARGUMENTS` with the given environment added; its output goes to a log file.
    init(_ arguments: [String], environment: [String: String], log: String) throws {
        var env = ProcessInfo.processInfo.environment
        for (name, value) in environment { env[name] = value }
        output = log
        child = try ChildProcess(try Self.executable, arguments, environment: env, outputPath: log)
    }

    var isRunning: Bool { child.isRunning }
    var log: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

    func stop() { child.stop() }

    deinit { child.stop() }

    static func freePort() -> Int {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Minimal HTTP calls to a child `serve` process.
struct HTTP {
    let base: String
    let key: String

    struct Response {
        let status: Int
        let json: [String: Any]
    }

    func call(_ method: String, _ path: String, body: Data? = nil, contentType: String? = nil, timeout: TimeInterval = 15) async throws -> Response {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.timeoutInterval = timeout
        request.setValue(key, forHTTPHeaderField: "X-API-Key")
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return Response(status: (response as? HTTPURLResponse)?.statusCode ?? 0, json: json)
    }

    /// Waits until `/health` answers.
    func waitUntilUp(_ process: CatalogProcess, seconds: TimeInterval = 60) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if !process.isRunning { throw HarnessError("serve exited:\n\(process.log)") }
            if let response = try? await call("GET", "/health", timeout: 2), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("serve did not come up:\n\(process.log)")
    }
}
