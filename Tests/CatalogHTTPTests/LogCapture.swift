import CatalogHTTP
import Foundation
import Logging
import Synchronization

/// Collects the lines a `JSONLogHandler` writes, for tests to parse back.
final class LogCapture: Sendable {
    private let output = Mutex<[UInt8]>([])

    /// A logger whose lines land here, at `level`.
    func logger(_ label: String = "test", level: Logger.Level = .info) -> Logger {
        Logger(label: label) { label in
            JSONLogHandler(label: label, level: level, output: JSONLogOutput { [self] line in append(line) })
        }
    }

    func append(_ line: [UInt8]) {
        output.withLock { $0 += line }
    }

    /// Everything written, as text.
    var text: String { output.withLock { String(decoding: $0, as: UTF8.self) } }

    /// The lines, each parsed as a JSON object (a line that is not one is recorded as `["unparsed": line]`).
    var records: [[String: Any]] {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? ["unparsed": String(line)]
        }
    }

    /// The records whose `message` is `message`.
    func records(_ message: String) -> [[String: Any]] {
        records.filter { $0["message"] as? String == message }
    }
}
