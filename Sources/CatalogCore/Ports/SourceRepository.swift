import struct Foundation.Date

/// Sources and their fetches (§Sources).
public protocol SourceRepository: Sendable {
    /// Stores the source and, when it has a next fetch, queues that fetch's task (`SourceTasks.scheduled`).
    func createSource(_ source: NewSource) async throws -> Source
    /// nil for a deleted source.
    func source(id: String) async throws -> Source?
    /// Newest first; only `partnerName`'s when given.
    func listSources(partnerName: String?, _ page: PageRequest) async throws -> Page<Source>
    /// Applies the update and, when it has a next fetch, queues that fetch's task.
    func updateSource(id: String, _ update: SourceUpdate) async throws -> Source?
    /// The source is gone from the API and its schedule stops; its feeds and products stay.
    func deleteSource(id: String, at date: Date) async throws -> Bool
    /// How many live sources carry sealed credentials (which need `CATALOG_SECRET_KEY` to be fetched).
    func countSourcesWithCredentials() async throws -> Int

    /// A fetch asked for now (`POST /sources/{id}/fetch`): queued, with its task; or the source's fetch
    /// that is queued or running already (one at a time per source).
    func queueFetch(sourceID: String, at date: Date) async throws -> SourceFetch?
    /// Newest first.
    func fetches(sourceID: String, _ page: PageRequest) async throws -> Page<SourceFetch>
    func fetchContext(sourceID: String) async throws -> FetchContext?
    /// Marks the fetch running. A scheduled fetch is created here, once per `scheduleKey` however
    /// often its task is claimed; nil when the source is gone or the fetch ended already.
    func startFetch(_ start: FetchStart, at date: Date) async throws -> SourceFetch?
    /// Records how the fetch ended with the source's new state (validators, failures in a row, status,
    /// next fetch and its task) and the outcome's events, and ends the task `lease` holds, in one
    /// transaction; false when the lease is no longer held.
    func finishFetch(_ fetchID: String, lease: TaskLease, _ result: FetchResult, _ next: SourceAfterFetch, now: Date) async throws -> Bool
}

/// Which fetch a claimed task runs.
public enum FetchStart: Sendable, Equatable {
    case manual(fetchID: String)
    case scheduled(sourceID: String, due: Date)
}

/// The source's state after a fetch, as `SourceFetchPolicy` decides it.
public struct SourceAfterFetch: Sendable, Equatable {
    public var failuresInARow: Int
    public var pause: Bool
    /// nil: no further scheduled fetch (paused, or no schedule); otherwise the time and its task.
    public var nextFetchAt: Date?
    public var nextTask: NewTask?
    public var events: [EventType]

    public init(failuresInARow: Int, pause: Bool, nextFetchAt: Date?, nextTask: NewTask?, events: [EventType]) {
        self.failuresInARow = failuresInARow
        self.pause = pause
        self.nextFetchAt = nextFetchAt
        self.nextTask = nextTask
        self.events = events
    }
}
