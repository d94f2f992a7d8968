import CatalogCore
import HTTPTypes
import Hummingbird

/// §Events: `GET /events`, oldest first after `since` (an event ID).
struct EventRoutes {
    let catalog: Catalog

    func register(on router: Router<CatalogRequestContext>) {
        router.get("/events") { request, context in
            let principal = try context.requirePrincipal()
            let query = try QueryParameters(request, allowed: ["type", "partner_name", "since", "limit"])
            let filter = EventFilter(type: try query.enumValue("type"), partnerName: query["partner_name"])
            let (events, next) = try await catalog.eventLog.list(filter, since: query["since"], limit: try query.limit(default: 100, max: 1000), by: principal)
            var out = "{\"count\":\(events.count),\"items\":[" + events.map(\.json).joined(separator: ",") + "],\"next_since\":"
            if let next { JSONText.append(next, to: &out) } else { out += "null" }
            return RawJSON.response(out + "}")
        }
    }
}
