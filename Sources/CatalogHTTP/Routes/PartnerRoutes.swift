import CatalogCore
import HTTPTypes
import Hummingbird

struct PartnerRoutes {
    let catalog: Catalog

    func register(on router: Router<CatalogRequestContext>) {
        router.post("/partners") { request, context in
            let principal = try context.requirePrincipal()
            try principal.require(.admin)
            _ = try QueryParameters(request, allowed: [])
            let body = try await JSONBody.decode(CreatePartnerBody.self, from: request, context: context)
            let (partner, key) = try await catalog.partners.create(name: body.partnerName, displayName: body.displayName, by: principal)
            return try JSONResponse.make(
                PartnerJSON(partner, apiKey: key.secret), status: .created,
                headers: [.location: "/partners/\(partner.partnerID)"])
        }
        router.get("/partners") { request, context in
            let principal = try context.requirePrincipal()
            let query = try QueryParameters(request, allowed: ["limit", "cursor"])
            let (page, fingerprint) = try query.page(fingerprint: ["partners"])
            let result = try await catalog.partners.list(page, by: principal)
            return try JSONResponse.make(ListResponse(
                items: result.items.map { PartnerJSON($0) },
                nextCursor: Cursor.encode(after: result.nextAfter, fingerprint: fingerprint)))
        }
        router.get("/partners/:partner_id") { request, context in
            let partner = try await catalog.partners.get(try context.parameters.require("partner_id"), by: try context.requirePrincipal())
            return try JSONResponse.make(PartnerJSON(partner))
        }
        router.patch("/partners/:partner_id") { request, context in
            let principal = try context.requirePrincipal()
            try principal.require(.admin)
            let body = try await JSONBody.decode(UpdatePartnerBody.self, from: request, context: context)
            guard let status = PartnerStatus(rawValue: body.status) else {
                throw CatalogError.validation("status must be one of: active, suspended.", parameter: "status", value: body.status)
            }
            let partner = try await catalog.partners.setStatus(try context.parameters.require("partner_id"), status, by: principal)
            return try JSONResponse.make(PartnerJSON(partner))
        }
    }
}
