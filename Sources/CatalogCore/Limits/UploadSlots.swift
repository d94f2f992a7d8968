import Synchronization

/// At most `perPartner` uploads of one partner in flight at once, so that one partner cannot take
/// every worker of the upload path; the next one is refused with 429 `RATE_LIMITED`.
public final class UploadSlots: Sendable {
    public static let retryAfterSeconds = 2

    public let perPartner: Int
    private let inFlight = Mutex<[String: Int]>([:])

    public init(perPartner: Int) {
        self.perPartner = max(1, perPartner)
    }

    /// Runs `body` holding one of `partnerName`'s slots; throws `RATE_LIMITED` when none is free.
    public func withSlot<T>(_ partnerName: String, _ body: () async throws -> T) async throws -> T {
        try acquire(partnerName)
        defer { release(partnerName) }
        return try await body()
    }

    public func inUse(_ partnerName: String) -> Int {
        inFlight.withLock { $0[partnerName] ?? 0 }
    }

    private func acquire(_ partnerName: String) throws {
        let taken = inFlight.withLock { counts in
            let count = counts[partnerName] ?? 0
            guard count < perPartner else { return false }
            counts[partnerName] = count + 1
            return true
        }
        guard taken else {
            throw CatalogError.rateLimited(
                "Partner '\(partnerName)' already has \(perPartner) uploads in progress; send the next one when one has finished.",
                retryAfterSeconds: Self.retryAfterSeconds)
        }
    }

    private func release(_ partnerName: String) {
        inFlight.withLock { counts in
            let count = (counts[partnerName] ?? 1) - 1
            counts[partnerName] = count > 0 ? count : nil
        }
    }
}
