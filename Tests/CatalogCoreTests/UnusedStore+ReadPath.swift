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

extension UnusedStore {
    func salesByPartner(_ filter: AnalyticsFilter) async throws -> [PartnerSales] { try fail() }
    func salesOverTime(_ filter: AnalyticsFilter, grain: SalesGrain) async throws -> [PeriodSales] { try fail() }
    func topProducts(_ filter: AnalyticsFilter, limit: Int) async throws -> [ProductSales] { try fail() }
    func inventory(_ filter: AnalyticsFilter, lowStockThreshold: Int64) async throws -> [InventoryGroup] { try fail() }
}
