import CatalogCore
import Foundation
import Testing

/// The read path's ports on the store the code under test must not reach.
extension UnusedStore {
    func product(id: String) async throws -> Product? { try fail() }
    func listProducts(_ query: ProductQuery) async throws -> ProductPage { try fail() }
}

extension UnusedStore {
    func createOrder(_ order: NewOrder) async throws -> Order { try fail() }
    func order(id: String) async throws -> Order? { try fail() }
    func listOrders(_ filter: OrderFilter, limit: Int, after: OrderPosition?) async throws -> OrderPage { try fail() }
}

