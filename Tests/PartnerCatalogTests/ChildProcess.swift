import Foundation

/// A child process through posix_spawn and waitpid. Foundation's `Process` can miss a child's exit
/// when nothing runs its run loop (as under the async test runner), so the tests do not use it.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `executable ARGUMENTS` with `environment` (the whole environment), stdin from /dev/null
    /// and stdout and stderr appended to `outputPath`.
    init(_ executable: String, _ arguments: [String], environment: [String: String], outputPath: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, nil, argv, envp)
        guard result == 0 else { throw HarnessError("cannot start \(executable): \(String(cString: strerror(result)))") }
        pid = child
    }

    var isRunning: Bool { status(blocking: false) == nil }

    /// The exit status once the child has ended (nil while it runs).
    @discardableResult
    func status(blocking: Bool) -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        var reaped: pid_t
        repeat { reaped = waitpid(pid, &status, blocking ? 0 : WNOHANG) } while reaped == -1 && errno == EINTR
        if reaped == -1 && errno == ECHILD {
            // Reaped already (not by this object): it has ended, with a status no longer known.
            exitStatus = -1
            return -1
        }
        guard reaped == pid else { return nil }
        exitStatus = status
        return status
    }

    /// Waits for the child to end, polling; returns its raw wait status.
    func wait(timeout: TimeInterval) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        // Looks once more after the deadline: on a loaded machine one sleep can outlast the whole wait.
        while true {
            if let status = status(blocking: false) { return status }
            if Date() >= deadline { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("process \(pid) did not end within \(timeout) s")
    }

    func signal(_ number: Int32) {
        if isRunning { kill(pid, number) }
    }

    /// SIGINT (a graceful stop), then SIGKILL if it lingers; reaps the child.
    func stop(grace: TimeInterval = 10) {
        guard isRunning else { return }
        kill(pid, SIGINT)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { usleep(20_000) }
        if isRunning { kill(pid, SIGKILL) }
        status(blocking: true)
    }
}

/// Runs a shell command to its end; returns its output, throwing when it fails.
@discardableResult
func shell(_ command: String, environment extra: [String: String] = [:], timeout: TimeInterval = 120) async throws -> String {
    var environment = ProcessInfo.processInfo.environment
    for (name, value) in extra { environment[name] = value }
    let log = NSTemporaryDirectory() + "shell-\(UUID().uuidString).log"
    defer { try? FileManager.default.removeItem(atPath: log) }
    let child = try ChildProcess("/bin/bash", ["-c", command], environment: environment, outputPath: log)
    let status = try await child.wait(timeout: timeout)
    let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    guard status == 0 else { throw HarnessError("`\(command)` failed (\(status)):\n\(output)") }
    return output
}
