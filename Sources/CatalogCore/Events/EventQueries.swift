/// `GET /events` (§Events): admin and analyst see every partner's, a partner key its own; oldest first
/// after `since` (an event ID).
public struct EventQueries: Sendable {
    let log: any EventLog

    public init(log: any EventLog) {
        self.log = log
    }

    public func list(_ filter: EventFilter, since: String?, limit: Int, by principal: Principal) async throws -> (events: [CatalogEvent], next: String?) {
        try principal.require(.admin, .analyst, .partner)
        var filter = filter
        if principal.role == .partner {
            guard let own = principal.partner?.partnerName, filter.partnerName == nil || filter.partnerName == own else { return ([], since) }
            filter.partnerName = own
        }
        var after: Int64 = 0
        if let since, !since.isEmpty, since != "0" {
            guard let number = IDKind.event.number(of: since) else {
                throw CatalogError.validation("since must be an event ID like EV00001 (or 0).", parameter: "since", value: since)
            }
            after = number
        }
        let events = try await log.events(filter, afterSeq: after, limit: limit)
        return (events, events.last?.eventID ?? since)
    }

    /// The newest event's ID ("0" for an empty log): following from it prints only new events.
    public func latest() async throws -> String {
        let seq = try await log.latestEventSeq()
        return seq == 0 ? "0" : IDKind.event.format(seq)
    }
}
