import CatalogCore
import Foundation

/// Behaviour every `TaskQueue` adapter must have; each store's tests call these with a fresh store.
public enum TaskQueueContract {
    typealias Failure = ObjectStoreContract.Failure

    static func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw Failure(message()) }
    }

    static let start = Date(timeIntervalSince1970: 1_790_000_000)
    static let a: TaskKind = "test.a"
    static let b: TaskKind = "test.b"

    static func task(_ kind: TaskKind = a, _ payload: String, at offset: TimeInterval = 0, unique: String? = nil, serial: String? = nil) -> NewTask {
        NewTask(kind: kind, payload: payload, runAt: start.addingTimeInterval(offset), uniqueKey: unique, serialKey: serial)
    }

    public static func eachTaskIsClaimedOnceAmongConcurrentClaimers(_ queue: any TaskQueue) async throws {
        try check(try await queue.enqueue((0..<40).map { task(a, "\($0)") }) == 40, "40 tasks added")
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for claimer in 0..<4 {
                group.addTask {
                    var mine: [String] = []
                    while let claimed = try await queue.claim(kinds: [a], owner: "c\(claimer)", now: start, leaseFor: 30) {
                        mine.append(claimed.payload)
                        _ = try await queue.finish(claimed.lease, .completed, now: start)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        try check(claimed.count == 40 && Set(claimed) == Set((0..<40).map(String.init)), "claimed \(claimed.sorted())")
    }

    public static func anExpiredLeaseIsClaimedAgainAndTheLateOwnerIsIgnored(_ queue: any TaskQueue) async throws {
        try await queue.enqueue([task(a, "x")])
        let first = try await queue.claim(kinds: [a], owner: "A", now: start, leaseFor: 30)
        try check(first?.attempt == 1 && first?.payload == "x", "first claim \(String(describing: first))")
        try check(try await queue.claim(kinds: [a], owner: "B", now: start + 10, leaseFor: 30) == nil, "claimed under a live lease")
        try check(try await queue.heartbeat(first!.lease, now: start + 20, leaseFor: 30), "heartbeat of the owner")
        try check(try await queue.claim(kinds: [a], owner: "B", now: start + 40, leaseFor: 30) == nil, "the heartbeat did not extend the lease")
        let second = try await queue.claim(kinds: [a], owner: "B", now: start + 51, leaseFor: 30)
        try check(second?.attempt == 2 && second?.lastError == nil && second?.lease.taskID == first?.lease.taskID,
                  "reclaim \(String(describing: second))")
        try check(try await queue.heartbeat(first!.lease, now: start + 52, leaseFor: 30) == false, "the old owner's heartbeat")
        try check(try await queue.finish(first!.lease, .completed, now: start + 52) == false, "the old owner's finish")
        try check(try await queue.finish(second!.lease, .completed, now: start + 53), "the new owner's finish")
        try check(try await queue.claim(kinds: [a], owner: "C", now: start + 1000, leaseFor: 30) == nil, "a completed task claimed")
    }

    public static func aRetryWaitsForItsTimeAndKeepsItsError(_ queue: any TaskQueue) async throws {
        try await queue.enqueue([task(a, "x")])
        let first = try await queue.claim(kinds: [a], owner: "A", now: start, leaseFor: 30)!
        try check(try await queue.finish(first.lease, .retry(at: start + 60, error: "flaky"), now: start + 1), "retry recorded")
        try check(try await queue.claim(kinds: [a], owner: "A", now: start + 59, leaseFor: 30) == nil, "claimed before its time")
        let second = try await queue.claim(kinds: [a], owner: "A", now: start + 60, leaseFor: 30)
        try check(second?.attempt == 2 && second?.lastError == "flaky", "retry \(String(describing: second))")
        try check(try await queue.finish(second!.lease, .failed(error: "for good"), now: start + 61), "failure recorded")
        try check(try await queue.claim(kinds: [a], owner: "A", now: start + 100_000, leaseFor: 30) == nil, "a failed task claimed")
    }

    public static func aUniqueKeyIsAddedOnce(_ queue: any TaskQueue) async throws {
        try check(try await queue.enqueue([task(a, "1", unique: "k"), task(a, "2", unique: "k")]) == 1, "a batch repeating a key")
        try check(try await queue.enqueue([task(a, "3", unique: "k")]) == 0, "a key added again")
        let claimed = try await queue.claim(kinds: [a], owner: "A", now: start, leaseFor: 30)!
        try check(claimed.payload == "1", "the first one counts")
        _ = try await queue.finish(claimed.lease, .completed, now: start)
        try check(try await queue.enqueue([task(a, "4", unique: "k")]) == 0, "a key added again after its task completed")
        try check(try await queue.enqueue([task(a, "5"), task(a, "6")]) == 2, "tasks without keys")
    }

    public static func dueTasksAreClaimedInRunAtOrderAndOnlyOfTheKindsAsked(_ queue: any TaskQueue) async throws {
        try await queue.enqueue([task(a, "third", at: 3), task(a, "first", at: 1), task(b, "other", at: 0), task(a, "second", at: 2),
                                 task(a, "later", at: 100)])
        var order: [String] = []
        while let claimed = try await queue.claim(kinds: [a], owner: "A", now: start + 10, leaseFor: 30) {
            order.append(claimed.payload)
            _ = try await queue.finish(claimed.lease, .completed, now: start + 10)
        }
        try check(order == ["first", "second", "third"], "order \(order)")
        let other = try await queue.claim(kinds: [b], owner: "A", now: start + 10, leaseFor: 30)
        try check(other?.payload == "other", "kind b")
        _ = try await queue.finish(other!.lease, .completed, now: start + 10)
        try check(try await queue.claim(kinds: [a, b], owner: "A", now: start + 100, leaseFor: 30)?.payload == "later", "due at 100")
    }

    public static func tasksOfOneSerialKeyNeverRunTogether(_ queue: any TaskQueue) async throws {
        try await queue.enqueue([task(a, "p1", at: 0, serial: "p"), task(a, "p2", at: 1, serial: "p"), task(a, "q1", at: 2, serial: "q")])
        let p1 = try await queue.claim(kinds: [a], owner: "A", now: start + 5, leaseFor: 30)
        let next = try await queue.claim(kinds: [a], owner: "B", now: start + 5, leaseFor: 30)
        try check(p1?.payload == "p1" && next?.payload == "q1", "\(String(describing: p1?.payload)) then \(String(describing: next?.payload))")
        try check(try await queue.claim(kinds: [a], owner: "C", now: start + 5, leaseFor: 30) == nil, "p2 ran beside p1")
        _ = try await queue.finish(next!.lease, .completed, now: start + 6)
        // p1's worker dies: p1 itself is taken over, not p2.
        let again = try await queue.claim(kinds: [a], owner: "C", now: start + 40, leaseFor: 30)
        try check(again?.payload == "p1" && again?.attempt == 2, "after p1's lease ran out: \(String(describing: again))")
        _ = try await queue.finish(again!.lease, .completed, now: start + 41)
        try check(try await queue.claim(kinds: [a], owner: "C", now: start + 41, leaseFor: 30)?.payload == "p2", "p2 after p1")
    }
}
