import CatalogCore
import HTTPTypes
import Hummingbird
import Prometheus

/// `GET /metrics`: Prometheus text. Request, upload and ETL counters come from swift-metrics;
/// jobs by type and status are read from the database, so they agree across processes.
struct MetricsRoutes {
    let catalog: Catalog
    let registry: PrometheusCollectorRegistry

    func register(on router: Router<CatalogRequestContext>) {
        router.get("/metrics") { _, _ in
            if let counts = try? await catalog.store.jobCounts() {
                for type in JobType.allCases {
                    for status in JobStatus.allCases {
                        let count = counts.first { $0.jobType == type && $0.status == status }?.count ?? 0
                        registry.makeGauge(name: "catalog_jobs", labels: [("job_type", type.rawValue), ("status", status.rawValue)])
                            .set(Double(count))
                    }
                }
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
