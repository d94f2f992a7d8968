import Foundation
import Logging
import Synchronization

/// Follows the product change feed for one node: batch by batch, in commit order, it brings the
/// node's product cache (PostgreSQL mode) up to date and tells the live streams. It catches up
/// whenever a job finishes anywhere (`JobEvents.finished`, fed by LISTEN/NOTIFY) and at least every
/// `catchUpInterval`, for notifications missed during an outage.
public actor ProductFeedFollower {
    let log: any ProductChangeLog
    let cache: (any ProductCacheStore)?
    let items: (any CatalogItemIndex)?
    let listeners: ProductChangeListeners
    let events: JobEvents
    let catchUpInterval: TimeInterval
    let logger: Logger
    static let pageSize = 10_000

    /// Whether a batch of `changes` products has its catalog items regrouped before its products are
    /// announced; a larger one's follow its products (`catchUpItems`).
    public static func regroupsItemsWithProducts(changes: Int64) -> Bool { changes < Int64(pageSize) }

    /// Everything up to here is applied.
    public private(set) var token: ChangeToken = .start
    /// Items noted as changed and not yet regrouped (a large batch's).
    private var itemsBehind = false
    /// Fired each time `token` moves.
    nonisolated let advanced = WakeSignal()
    /// `token.position`, readable without waiting for the actor (list pages' ETags read it per request).
    private nonisolated let position = Atomic<Int64>(0)
    public nonisolated var appliedPosition: Int64 { position.load(ordering: .acquiring) }

    /// `cache`: the node's copy of the products to keep current; nil when the node reads the system of
    /// record itself (embedded mode), where only the live streams follow. `items`: the catalog items to
    /// keep current (the cache's, or the embedded store's own).
    public init(
        log: any ProductChangeLog, cache: (any ProductCacheStore)?, items: (any CatalogItemIndex)? = nil,
        listeners: ProductChangeListeners, events: JobEvents,
        catchUpInterval: TimeInterval = 5, logger: Logger = Logger(label: "partner-catalog.read-model")
    ) {
        self.log = log
        self.cache = cache
        self.items = items
        self.listeners = listeners
        self.events = events
        self.catchUpInterval = catchUpInterval
        self.logger = logger
    }

    /// Before serving: with a cache, copies every product from one snapshot (indexes built after the
    /// rows), then follows from the position that snapshot holds; without one, follows from now.
    public func start(snapshot: (any ProductSnapshotSource)?) async throws {
        if let cache, let snapshot {
            let position = try await snapshot.snapshot(batchSize: Self.pageSize) { products in try await cache.apply(products) }
            try await cache.copyFinished()
            move(to: .after(batch: position))
        } else {
            move(to: .after(batch: try await log.latestChangePosition()))
        }
        // From the products as they are now: batches after the position above that this sees already are
        // applied again below, which changes nothing.
        if let items {
            let started = ContinuousClock.now
            let count = try await items.rebuild()
            logger.info("catalog items rebuilt", metadata: [
                "items": .stringConvertible(count), "duration": .string("\(ContinuousClock.now - started)"),
            ])
        }
        try await catchUp()
    }

    /// Applies the batches committed since the last call; returns how many.
    @discardableResult
    public func catchUp() async throws -> Int {
        var applied = 0
        let reader = ChangeFeedReader(log: log)
        var batches: [(ChangeBatch, Int64)] = []
        try await reader.walk(after: token, partnerName: nil) { batch, afterSeq in
            batches.append((batch, afterSeq))
            return batches.count < 256
        }
        for (batch, afterSeq) in batches {
            try await apply(batch, after: afterSeq)
            move(to: .after(batch: batch.position))
            applied += 1
        }
        if itemsBehind { try await catchUpItems() }
        return applied
    }

    /// Large batches' items are regrouped after their products are served (§Unified catalog: items follow
    /// the products), a chunk at a time; a newer batch's products go first (returns early, still behind).
    private func catchUpItems() async throws {
        guard let items else { return }
        let seen = events.finished.generation
        let started = ContinuousClock.now
        while try await items.refreshPendingChunk() {
            if events.finished.generation != seen { return }
        }
        itemsBehind = false
        logger.info("catalog items caught up", metadata: ["duration": .string("\(ContinuousClock.now - started)")])
    }

    /// A batch's products become visible in the cache together: a batch larger than a page is staged
    /// first and published in one transaction.
    private func apply(_ batch: ChangeBatch, after afterSeq: Int64) async throws {
        let listening = !listeners.isEmpty
        guard cache != nil || items != nil || listening else { return }
        var after = afterSeq
        var staged = false
        var count = 0
        while true {
            let products = try await log.changedProducts(batchID: batch.batchID, afterSeq: after, limit: Self.pageSize)
            let isLast = products.count < Self.pageSize
            if let cache {
                if isLast && !staged {
                    try await cache.apply(products)
                } else {
                    try await cache.stagePending(products)
                    staged = true
                }
            }
            count += products.count
            try await items?.productsChanged(products)
            if listening, !products.isEmpty {
                listeners.publish(batch, products.map { ProductChange(token: ChangeToken(position: batch.position, seq: $0.seq), product: $0) })
            }
            guard !isLast, let last = products.last else { break }
            after = last.seq
        }
        if staged { try await cache?.publishPending() }
        // A small batch's items are regrouped before its products are announced, so that whoever waited
        // for the job reads its items too; a large one's after (`catchUpItems`), not to hold its products back.
        if staged || !Self.regroupsItemsWithProducts(changes: Int64(count)) {
            itemsBehind = items != nil
        } else if let items, !itemsBehind {
            try await items.refreshPending()
        }
        if count >= Self.pageSize {
            logger.info("large change batch applied", metadata: ["products": .stringConvertible(count), "job_id": .string(batch.jobID)])
        }
    }

    private func move(to token: ChangeToken) {
        self.token = token
        position.store(token.position, ordering: .releasing)
        advanced.fire()
    }

    /// Returns once the batch at `position` is applied, or `timeout` passed (false).
    public func waitUntilApplied(_ position: Int64, timeout: TimeInterval) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let seen = advanced.generation
            if token.position >= position { return true }
            let left = deadline.timeIntervalSinceNow
            guard left > 0, !Task.isCancelled else { return false }
            await advanced.wait(since: seen, timeout: left)
        }
    }

    /// Returns once everything committed so far is applied, items included, or `timeout` passed (false).
    public func waitUntilItemsCaughtUp(timeout: TimeInterval) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        guard let target = try? await log.latestChangePosition() else { return false }
        while token.position < target || itemsBehind {
            guard Date() < deadline, !Task.isCancelled else { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    /// Catches up on every finished job and every `catchUpInterval`, until cancelled.
    public func run() async {
        while !Task.isCancelled {
            let seen = events.finished.generation
            do {
                try await catchUp()
            } catch {
                logger.warning("read model catch-up failed; retrying", metadata: ["error": .string("\(error)")])
            }
            await events.finished.wait(since: seen, timeout: catchUpInterval)
        }
    }
}
