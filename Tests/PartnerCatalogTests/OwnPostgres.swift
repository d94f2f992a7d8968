import Foundation

/// A PostgreSQL server of the test's own (scripts/postgres.sh), for drills that stop the server and
/// would disturb tests sharing the common one.
final class OwnPostgres: @unchecked Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/postgres.sh").path

    let url: String
    private let variables: [String: String]

    private init(url: String, variables: [String: String]) {
        self.url = url
        self.variables = variables
    }

    static func start() async throws -> OwnPostgres {
        let output = try await shell("source '\(script)' && postgres_start && "
            + "echo \"PG_DATA=$PG_DATA\" && echo \"PG_PORT=$PG_PORT\" && echo \"PG_DATA_ROOT=$PG_DATA_ROOT\" "
            + "&& echo \"URL=$CATALOG_TEST_DATABASE_URL\"")
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let url = values.removeValue(forKey: "URL") else { throw HarnessError("postgres_start printed no URL:\n\(output)") }
        return OwnPostgres(url: url, variables: values)
    }

    /// The first column of the first row of `sql`, as psql prints it, read as a whole number.
    func count(_ sql: String) async throws -> Int {
        let output = try await shell("source '\(Self.script)' && \"$PG_BIN/psql\" '\(url)' -tAc '\(sql)'", environment: variables)
        return Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    func pause() async throws { try await shell("source '\(Self.script)' && postgres_pause", environment: variables) }
    func resume() async throws { try await shell("source '\(Self.script)' && postgres_resume", environment: variables) }
    /// Stops the server and deletes its data; synchronous, so that a `defer` can call it.
    func remove() {
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in variables { environment[name] = value }
        let child = try? ChildProcess(
            "/bin/bash", ["-c", "source '\(Self.script)' && postgres_stop"], environment: environment, outputPath: "/dev/null")
        child?.status(blocking: true)
    }
}
