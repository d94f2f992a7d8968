import CatalogCore
import Foundation
import Testing

extension UnusedStore {
    func createSource(_ source: NewSource) async throws -> Source { try fail() }
    func source(id: String) async throws -> Source? { try fail() }
    func listSources(partnerName: String?, _ page: PageRequest) async throws -> Page<Source> { try fail() }
    func updateSource(id: String, _ update: SourceUpdate) async throws -> Source? { try fail() }
    func deleteSource(id: String, at date: Date) async throws -> Bool { try fail() }
    func countSourcesWithCredentials() async throws -> Int { try fail() }
    func queueFetch(sourceID: String, at date: Date) async throws -> SourceFetch? { try fail() }
    func fetches(sourceID: String, _ page: PageRequest) async throws -> Page<SourceFetch> { try fail() }
    func fetchContext(sourceID: String) async throws -> FetchContext? { try fail() }
    func startFetch(_ start: FetchStart, at date: Date) async throws -> SourceFetch? { try fail() }
    func finishFetch(_ fetchID: String, lease: TaskLease, _ result: FetchResult, _ next: SourceAfterFetch, now: Date) async throws -> Bool {
        try fail()
    }
    func activeProductCount(partnerID: String) async throws -> Int64 { try fail() }
}
