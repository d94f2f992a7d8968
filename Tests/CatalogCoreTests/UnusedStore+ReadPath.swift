import CatalogCore
import Foundation
import Testing

/// The change feed's port on the store the code under test must not reach.
extension UnusedStore {
    func changeBatches(from position: Int64, partnerName: String?, limit: Int) async throws -> [ChangeBatch] { try fail() }
    func changedProducts(batchID: Int64, afterSeq: Int64, limit: Int) async throws -> [Product] { try fail() }
    func latestChangePosition() async throws -> Int64 { try fail() }
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
