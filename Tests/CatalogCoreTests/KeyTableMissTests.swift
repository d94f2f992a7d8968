@testable import CatalogCore
import Foundation
import Synchronization
import Testing

/// The key table's reads after a miss: shared by concurrent misses, never older than the miss.
@Suite struct KeyTableMissTests {
    /// Keys in memory; a version read takes its value when it starts and answers `delay` later, as a
    /// database round trip does.
    final class SlowKeyStore: APIKeyRepository {
        private struct State {
            var version: Int64 = 1
            var keys: [ActiveKey] = []
            var versionReads = 0
        }

        private let state = Mutex(State())
        let delay: Duration

        init(delay: Duration) { self.delay = delay }

        var versionReads: Int { state.withLock { $0.versionReads } }

        func add(hash: String) {
            let record = APIKeyRecord(
                keyID: "KY\(hash)", role: .reader, partnerID: nil, partnerName: nil, label: nil, createdAt: Date(), revokedAt: nil)
            state.withLock {
                $0.keys.append(ActiveKey(hash: hash, record: record, partner: nil))
                $0.version += 1
            }
        }

        func credentialsVersion() async throws -> Int64 {
            let version = state.withLock { state -> Int64 in
                state.versionReads += 1
                return state.version
            }
            try await Task.sleep(for: delay)
            return version
        }

        func activeKeys() async throws -> [ActiveKey] { state.withLock { $0.keys } }

        func createKey(hash: String, role: Role, partnerID: String?, label: String?, at: Date) async throws -> APIKeyRecord {
            fatalError("not used")
        }
        func activeKey(hash: String) async throws -> (APIKeyRecord, Partner?)? { fatalError("not used") }
        func listKeys() async throws -> [APIKeyRecord] { fatalError("not used") }
        func revokeKey(id: String, at: Date) async throws -> APIKeyRecord? { fatalError("not used") }
        func countKeys() async throws -> Int { fatalError("not used") }
    }

    @Test func concurrentMissesShareTheirVersionReads() async throws {
        let store = SlowKeyStore(delay: .milliseconds(50))
        let table = KeyTable()
        try await table.refresh(from: store, force: true)
        let before = store.versionReads
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<200 { group.addTask { await table.refreshAfterMiss(from: store) } }
        }
        // One read in flight and one queued behind it serve every miss; one read per miss would be 200.
        let reads = store.versionReads - before
        #expect(reads >= 1 && reads <= 10, "\(reads) version reads for 200 concurrent misses")
    }

    @Test func aMissWaitsForAReadThatStartedAfterIt() async throws {
        let store = SlowKeyStore(delay: .milliseconds(200))
        let table = KeyTable()
        try await table.refresh(from: store, force: true)
        // A miss whose read is under way (it read version 1 and answers later) ...
        let earlier = Task { await table.refreshAfterMiss(from: store) }
        while store.versionReads < 2 { try await Task.sleep(for: .milliseconds(5)) }
        // ... then a key is created elsewhere, and curl uses it at once: its miss cannot use that read.
        store.add(hash: "fresh")
        await table.refreshAfterMiss(from: store)
        #expect(table.lookup(hash: "fresh") != nil)
        await earlier.value
    }
}
