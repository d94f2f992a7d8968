import CatalogCore
import CatalogHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct OpenAPITests {
    /// "GET /feeds/{feed_id}" for every operation the document describes.
    func documentedOperations(_ json: [String: Any]) -> Set<String> {
        let paths = json["paths"] as? [String: [String: Any]] ?? [:]
        var operations = Set<String>()
        for (path, item) in paths {
            for method in item.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedPathIsRouted() async throws {
        let app = try await TestApp.make()
        let router = CatalogHTTP.router(catalog: app.catalog, spoolDirectory: app.directory.path, registry: TestMetrics.registry)
        let routed = Set(router.routes.map { route in
            let path = route.path.description.split(separator: "/").map { segment in
                segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
            }
            return "\(route.method.rawValue) /\(path.joined(separator: "/"))"
        })
        try await app.test { client in
            let response = try await client.get("/openapi.json", key: nil)
            #expect(response.status == .ok)
            let json = response.json
            #expect(json["openapi"] as? String == "3.1.0")
            let documented = documentedOperations(json)
            #expect(routed.subtracting(documented).isEmpty, "routes without a spec entry: \(routed.subtracting(documented).sorted())")
            #expect(documented.subtracting(routed).isEmpty, "spec entries without a route: \(documented.subtracting(routed).sorted())")
            #expect(routed.count >= 16)
        }
    }

    @Test func docsPageLoadsTheSpecification() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let response = try await client.get("/docs", key: nil)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(String(buffer: response.body).contains("url: \"/openapi.json\""))
        }
    }
}
