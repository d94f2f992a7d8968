import Logging

/// At start: the raw files that a killed process committed without recording their feed are
/// removed, so that no object is left without its feed. Each noted commit is checked once: its feed
/// exists (the process died just after recording it) and the note goes, or it does not and the
/// object goes too.
public struct InterruptedUploads: Sendable {
    let store: any FeedRepository
    let objects: any ObjectStore

    public init(store: any FeedRepository, objects: any ObjectStore) {
        self.store = store
        self.objects = objects
    }

    /// Returns the keys removed.
    @discardableResult
    public func recover(logger: Logger) async throws -> [String] {
        guard let notes = objects as? any InterruptedCommits else { return [] }
        var removed: [String] = []
        for key in await notes.interruptedCommits() {
            // Keys of another layout are not uploads' and are left as they are.
            if let feedID = RawFileKey.feedID(in: key), try await store.feed(id: feedID) == nil {
                await objects.discard(key: key)
                removed.append(key)
                logger.warning("removed the raw file of an upload interrupted before its feed was recorded", metadata: ["key": .string(key)])
            }
            await notes.forgetInterruptedCommit(key)
        }
        return removed
    }
}
