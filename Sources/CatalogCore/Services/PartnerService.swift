/// §Partners: creation (with the partner's first key), listing, suspension.
public struct PartnerService: Sendable {
    let store: any PartnerRepository & APIKeyRepository
    let clock: any CatalogClock
    let keys: KeyService

    public init(store: any PartnerRepository & APIKeyRepository, clock: any CatalogClock, keys: KeyService? = nil) {
        self.store = store
        self.clock = clock
        self.keys = keys ?? KeyService(store: store, clock: clock)
    }

    public func create(name: String, displayName: String?, by principal: Principal) async throws -> (Partner, IssuedAPIKey) {
        try principal.require(.admin)
        try PartnerName.validate(name)
        let display = (displayName ?? name).trimmingWhitespace()
        guard (1...200).contains(display.count) else {
            throw CatalogError.validation("display_name must be 1–200 characters.", parameter: "display_name")
        }
        let partner = try await store.createPartner(name: name, displayName: display, at: clock.now())
        let key = try await keys
            .issue(role: .partner, partnerID: partner.partnerID, partnerName: partner.partnerName, label: "created with partner")
        return (partner, key)
    }

    public func list(_ page: PageRequest, by principal: Principal) async throws -> Page<Partner> {
        try principal.require(.admin, .analyst)
        return try await store.listPartners(page)
    }

    public func get(_ id: String, by principal: Principal) async throws -> Partner {
        try principal.require(.admin, .analyst)
        guard let partner = try await store.partner(id: id) else { throw CatalogError.notFound("Partner", id) }
        return partner
    }

    public func setStatus(_ id: String, _ status: PartnerStatus, by principal: Principal) async throws -> Partner {
        try principal.require(.admin)
        guard let partner = try await store.setPartnerStatus(id: id, status) else {
            throw CatalogError.notFound("Partner", id)
        }
        await keys.refreshTable()
        return partner
    }
}
