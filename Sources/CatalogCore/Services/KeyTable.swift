import Foundation
import Logging
import Synchronization

/// A node's in-memory table of the live API keys, by hash: a request's key is checked without a
/// database round trip. The lookup is by the SHA-256 of the secret, so comparing it reveals nothing
/// about any secret. The table is reloaded whenever the store's credentials version moves (a key
/// created or revoked, a partner suspended, on any node or by the CLI), which every node polls
/// twice a second, and at once after such a change on this node. A key the table does not know may
/// have been created a moment ago elsewhere (`partner-catalog keys create`, then curl at once), so a
/// miss reads the version too. Misses share those reads: each waits for the first read that starts
/// after it arrived, so a flood of unknown keys costs one read in flight at a time, not one per key.
public final class KeyTable: Sendable {
    private struct State {
        var version: Int64?
        var keys: [String: ActiveKey] = [:]
    }

    /// The refresh that misses wait for: `queued` has not read the version yet, `running` has.
    private struct MissRefreshes {
        var queued: Task<Void, Never>?
        var running: Task<Void, Never>?
    }

    private let state = Mutex(State())
    private let missRefreshes = Mutex(MissRefreshes())
    public static let pollInterval: Duration = .milliseconds(500)

    public init() {}

    var isLoaded: Bool { state.withLock { $0.version != nil } }

    func lookup(hash: String) -> ActiveKey? {
        state.withLock { $0.keys[hash] }
    }

    /// Reloads when the version moved since the last load, or always with `force`.
    public func refresh(from store: any APIKeyRepository, force: Bool = false) async throws {
        // The version first: a change committed between the two reads makes the next poll load again.
        let version = try await store.credentialsVersion()
        guard force || state.withLock({ $0.version }) != version else { return }
        let keys = try await store.activeKeys()
        state.withLock { state in
            state.keys = Dictionary(keys.map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
            state.version = version
        }
    }

    /// After a miss: reloads if the version moved, by a read that starts after the miss (shared with
    /// the misses that arrive before it starts).
    func refreshAfterMiss(from store: any APIKeyRepository) async {
        let refresh = missRefreshes.withLock { refreshes -> Task<Void, Never> in
            if let queued = refreshes.queued { return queued }
            let previous = refreshes.running
            let queued = Task { [self] in
                await previous?.value
                missRefreshes.withLock { refreshes in
                    refreshes.running = refreshes.queued
                    refreshes.queued = nil
                }
                try? await self.refresh(from: store)
            }
            refreshes.queued = queued
            return queued
        }
        await refresh.value
    }

    /// Polls the version until cancelled.
    public func follow(_ store: any APIKeyRepository, logger: Logger) async {
        while !Task.isCancelled {
            do { try await refresh(from: store) } catch {
                logger.warning("key table refresh failed; the previous table stays in use", metadata: ["error": .string("\(error)")])
            }
            try? await Task.sleep(for: Self.pollInterval)
        }
    }
}
