/// The figures behind `/analytics/*`, computed by the database over order lines and products. Sums are
/// of integer units (exact); nothing is ever summed across currencies. Results come in any order.
public protocol AnalyticsQueries: Sendable {
    func salesByPartner(_ filter: AnalyticsFilter) async throws -> [PartnerSales]

    /// Only the periods that have sales; the service fills in the empty ones.
    func salesOverTime(_ filter: AnalyticsFilter, grain: SalesGrain) async throws -> [PeriodSales]

    /// Per currency, the `limit` SKUs with the highest sales (ties: more units, then partner and SKU).
    func topProducts(_ filter: AnalyticsFilter, limit: Int) async throws -> [ProductSales]

    /// `filter.from` / `to` select products by `created_at`.
    func inventory(_ filter: AnalyticsFilter, lowStockThreshold: Int64) async throws -> [InventoryGroup]
}
