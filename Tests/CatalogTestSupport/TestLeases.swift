import CatalogCore
import Foundation

/// Merges that tests drive by hand record their end on a task of their own.
public enum TestLeases {
    static let kind: TaskKind = "test.merge"

    /// A completion whose lease a fresh task holds.
    public static func completion(_ queue: any TaskQueue) async throws -> AttemptCompletion {
        let key = UUID().uuidString
        try await queue.enqueue([NewTask(kind: kind, payload: "{}", runAt: Date(timeIntervalSince1970: 0), uniqueKey: key)])
        guard let task = try await queue.claim(kinds: [kind], owner: key, now: Date(), leaseFor: 3600) else {
            throw ObjectStoreContract.Failure("the test task was not claimable")
        }
        return AttemptCompletion(lease: task.lease) { _ in (JobSummary(), "") }
    }
}
