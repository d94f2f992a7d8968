/// `GET /products/changes` (§Products "Product changes"): every role; a partner key reads its own
/// partner's changes, and readers see inactive products as tombstones like everyone else.
public struct ProductChangeQueries: Sendable {
    let log: any ProductChangeLog
    public static let maxLimit = 1_000

    public init(log: any ProductChangeLog) {
        self.log = log
    }

    /// The scope a caller reads: its own partner for a partner key (another partner's name gives
    /// nothing), else the one asked for, if any.
    public static func scope(_ partnerName: String?, by principal: Principal) -> (partnerName: String?, empty: Bool) {
        guard principal.role == .partner else { return (partnerName, false) }
        let own = principal.partner?.partnerName
        if let partnerName, partnerName != own { return (own, true) }
        return (own, own == nil)
    }

    public func read(since token: ChangeToken, partnerName: String?, limit: Int, by principal: Principal)
        async throws -> (changes: [ProductChange], next: ChangeToken)
    {
        try await validate(token)
        let (partner, empty) = Self.scope(partnerName, by: principal)
        if empty { return ([], token) }
        return try await ChangeFeedReader(log: log).read(after: token, partnerName: partner, limit: limit)
    }

    /// A token from a position not committed (yet) is not one this feed gave out.
    public func validate(_ token: ChangeToken) async throws {
        guard token.position > 0 else { return }
        if token.position > (try await log.latestChangePosition()) {
            throw CatalogError.validation(
                "since names a change this feed has not given out; pass 0 for a full sync, or a `change` / `next_since` value.",
                parameter: "since", value: token.encoded)
        }
    }
}
