import CatalogCore
import Foundation
import Testing

/// The read path's ports on the store the code under test must not reach.
extension UnusedStore {
    func product(id: String) async throws -> Product? { try fail() }
    func listProducts(_ query: ProductQuery) async throws -> ProductPage { try fail() }
}

