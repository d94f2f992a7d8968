import CatalogCore
import CatalogTestSupport
import Foundation
import HummingbirdTesting
import NIOCore
import Testing

struct ReadPathTestError: Error, CustomStringConvertible {
    var description: String
}

extension TestClientProtocol {
    /// Uploads a feed and runs its validation job to the end; returns the finished job.
    @discardableResult
    func load(_ csv: String, key: String, query: String = "") async throws -> [String: Any] {
        let upload = try await uploadRaw(Array(csv.utf8), key: key, query: query)
        guard let jobID = upload.json["validation_job_id"] as? String else {
            throw ReadPathTestError(description: "upload failed: \(String(buffer: upload.body))")
        }
        let job = try await run(jobID, key: key)
        guard job["status"] as? String == "completed" else { throw ReadPathTestError(description: "job failed: \(job)") }
        return job
    }

    /// Every page of a list, following `next_cursor`; `between` runs after each page but the last.
    func walk(
        _ uri: String, key: String, maxPages: Int = 10_000, between: (Int) async throws -> Void = { _ in }
    ) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var cursor: String?
        for page in 0..<maxPages {
            let separator = uri.contains("?") ? "&" : "?"
            let pageURI = cursor.map { uri + separator + "cursor=" + $0 } ?? uri
            let response = try await get(pageURI, key: key)
            guard response.status == .ok else {
                throw ReadPathTestError(description: "\(pageURI) → \(response.status): \(String(buffer: response.body))")
            }
            let json = response.json
            let pageItems = json["items"] as? [[String: Any]] ?? []
            #expect(json["count"] as? Int == pageItems.count)
            items += pageItems
            guard let next = json["next_cursor"] as? String else { return items }
            cursor = next
            try await between(page)
        }
        throw ReadPathTestError(description: "\(uri) did not end within \(maxPages) pages")
    }

    func post(_ uri: String, json: String, key: String?) async throws -> TestResponse {
        try await execute(uri: uri, method: .post, headers: headers(key: key, [.contentType: "application/json"]),
                          body: ByteBuffer(string: json))
    }
}

/// A value as the test compares it: the exact decimal text of a JSON number (parsed from the body, never a Double).
enum JSONNumberText {
    /// The raw text of every `"field":<number>` in a body, in order.
    static func values(of field: String, in body: String) -> [String] {
        var values: [String] = []
        var rest = body[...]
        let marker = "\"\(field)\":"
        while let range = rest.range(of: marker) {
            let after = rest[range.upperBound...]
            let number = after.prefix { "0123456789.-eE+".contains($0) }
            if !number.isEmpty { values.append(String(number)) }
            rest = after
        }
        return values
    }
}

/// Mutable state shared with the `@Sendable` closures of one test (never used from two tasks at once).
final class TestState<Value>: @unchecked Sendable {
    var value: Value

    init(_ value: Value) { self.value = value }
}
