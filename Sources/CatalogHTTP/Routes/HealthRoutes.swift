import CatalogCore
import HTTPTypes
import Hummingbird

struct HealthRoutes {
    let catalog: Catalog

    func register(on router: Router<CatalogRequestContext>) {
        router.get("/health") { _, _ in try JSONResponse.make(["status": "ok"]) }
        router.get("/ready") { _, _ in
            let report = await catalog.readiness.check()
            var checks: [String: String] = [:]
            // "ok", or the reason the dependency did not answer.
            checks["database"] = report.database ?? "ok"
            checks["object_store"] = report.objectStore ?? "ok"
            checks["disk"] = report.disk ?? "ok"
            guard report.isReady else {
                let failing = [
                    report.database == nil ? nil : "database", report.objectStore == nil ? nil : "object_store",
                ].compactMap { $0 }
                let reasons = (failing.isEmpty ? [] : ["\(failing.joined(separator: " and ")) unavailable"]) + [report.disk].compactMap { $0 }
                return ErrorEnvelope.response(for: CatalogError(
                    .storageUnavailable, "Not ready: \(reasons.joined(separator: "; ")).",
                    details: checks.mapValues(JSONValue.string)))
            }
            return try JSONResponse.make(ReadyJSON(status: "ready", checks: checks))
        }
    }

    struct ReadyJSON: Encodable {
        var status: String
        var checks: [String: String]
    }
}
