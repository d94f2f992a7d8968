import CatalogCore
import HTTPTypes
import Hummingbird

struct JobRoutes {
    let catalog: Catalog

    func register(on router: Router<CatalogRequestContext>) {
        router.get("/jobs") { request, context in
            let principal = try context.requirePrincipal()
            let query = try QueryParameters(request, allowed: ["status", "job_type", "feed_id", "partner_name", "limit", "cursor"])
            let filter = JobFilter(
                status: try query.enumValue("status"), jobType: try query.enumValue("job_type"),
                feedID: try query.identifier("feed_id", kind: .feed), partnerName: query["partner_name"])
            let (page, fingerprint) = try query.page(fingerprint: [
                "jobs", filter.status?.rawValue, filter.jobType?.rawValue, filter.feedID, filter.partnerName,
            ])
            let result = try await catalog.jobs.list(filter, page, by: principal)
            return try JSONResponse.make(ListResponse(
                items: result.items.map(JobJSON.init), nextCursor: Cursor.encode(after: result.nextAfter, fingerprint: fingerprint)))
        }
        router.get("/jobs/:job_id") { request, context in
            let job = try await catalog.jobs.get(try context.parameters.require("job_id"), by: try context.requirePrincipal())
            return try JSONResponse.make(JobJSON(job))
        }
        router.post("/jobs/:job_id/run") { request, context in
            let principal = try context.requirePrincipal()
            let query = try QueryParameters(request, allowed: ["wait", "timeout"])
            let wait = try query.boolean("wait") ?? false
            let timeout = try query.seconds("timeout", default: 60, max: 3600)
            let jobID = try context.parameters.require("job_id")
            var job = try await catalog.runs.requestRun(jobID, by: principal, logger: context.logger)
            if wait { job = try await catalog.runs.waitForFinish(jobID, timeout: timeout) }
            let finished = job.status == .completed || job.status == .failed
            return try JSONResponse.make(
                JobJSON(job), status: wait && finished ? .ok : .accepted, headers: [.location: "/jobs/\(jobID)"])
        }
        router.get("/jobs/:job_id/errors") { request, context in
            let principal = try context.requirePrincipal()
            let query = try QueryParameters(request, allowed: ["limit", "cursor"])
            let jobID = try context.parameters.require("job_id")
            let (page, fingerprint) = try query.page(fingerprint: ["errors", jobID])
            let result = try await catalog.runs.diagnostics(jobID, page, by: principal)
            return try JSONResponse.make(ListResponse(
                items: result.items.map(DiagnosticJSON.init),
                nextCursor: Cursor.encode(after: result.nextAfter, fingerprint: fingerprint)))
        }
    }
}
