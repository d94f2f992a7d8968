import CatalogCore
import HTTPTypes
import Hummingbird

/// §Sources: vendor files and APIs the service pulls a partner's data from, and their fetches.
struct SourceRoutes {
    let catalog: Catalog

    func register(on router: Router<CatalogRequestContext>) {
        router.post("/sources") { request, context in
            let principal = try context.requirePrincipal()
            _ = try QueryParameters(request, allowed: [])
            let body = try await JSONBody.decode([String: JSONValue].self, from: request, context: context)
            let source = try await catalog.sources.create(body, by: principal)
            catalog.events.queued.fire()
            return RawJSON.response(SourceJSON.object(source), status: .created, headers: [.location: "/sources/\(source.sourceID)"])
        }
        router.get("/sources") { request, context in
            let principal = try context.requirePrincipal()
            let query = try QueryParameters(request, allowed: ["partner_name", "limit", "cursor"])
            let partnerName = query["partner_name"]
            let (page, fingerprint) = try query.page(fingerprint: ["sources", partnerName])
            let result = try await catalog.sources.list(partnerName: partnerName, page, by: principal)
            return RawJSON.response(WebhookRoutes.list(result.items.map(SourceJSON.object),
                                                       next: Cursor.encode(after: result.nextAfter, fingerprint: fingerprint)))
        }
        router.get("/sources/:source_id") { request, context in
            let source = try await catalog.sources.get(try context.parameters.require("source_id"), by: try context.requirePrincipal())
            return RawJSON.response(SourceJSON.object(source))
        }
        router.patch("/sources/:source_id") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await JSONBody.decode([String: JSONValue].self, from: request, context: context)
            let source = try await catalog.sources.update(try context.parameters.require("source_id"), body, by: principal)
            catalog.events.queued.fire()
            return RawJSON.response(SourceJSON.object(source))
        }
        router.delete("/sources/:source_id") { request, context in
            try await catalog.sources.delete(try context.parameters.require("source_id"), by: try context.requirePrincipal())
            return Response(status: .noContent)
        }
        router.post("/sources/:source_id/fetch") { request, context in
            let id = try context.parameters.require("source_id")
            let fetch = try await catalog.sources.fetchNow(id, by: try context.requirePrincipal())
            catalog.events.queued.fire()
            return RawJSON.response(SourceJSON.fetch(fetch), status: .accepted)
        }
        router.get("/sources/:source_id/fetches") { request, context in
            let principal = try context.requirePrincipal()
            let query = try QueryParameters(request, allowed: ["limit", "cursor"])
            let id = try context.parameters.require("source_id")
            let (page, fingerprint) = try query.page(fingerprint: ["fetches", id])
            let result = try await catalog.sources.fetches(id, page, by: principal)
            return RawJSON.response(WebhookRoutes.list(result.items.map(SourceJSON.fetch),
                                                       next: Cursor.encode(after: result.nextAfter, fingerprint: fingerprint)))
        }
    }
}
