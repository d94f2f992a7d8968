/// Reading jobs; partner keys see their own partner's jobs only.
public struct JobQueries: Sendable {
    let store: any JobRepository

    public init(store: any JobRepository) {
        self.store = store
    }

    public func get(_ id: String, by principal: Principal) async throws -> Job {
        try principal.require(.partner, .analyst, .admin)
        guard let job = try await store.job(id: id), principal.canSee(partnerName: job.partnerName) else {
            throw CatalogError.notFound("Job", id)
        }
        return job
    }

    public func list(_ filter: JobFilter, _ page: PageRequest, by principal: Principal) async throws -> Page<Job> {
        try principal.require(.partner, .analyst, .admin)
        var filter = filter
        if let own = principal.confinedPartnerName {
            if let asked = filter.partnerName, asked != own { return Page(items: [], nextAfter: nil) }
            filter.partnerName = own
        }
        return try await store.listJobs(filter, page)
    }
}
