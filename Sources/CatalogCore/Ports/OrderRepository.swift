import struct Foundation.Date

/// Orders posted one by one, and reading the orders from both sources (posts and orders feeds). They
/// share the tables and the `OR` counter with the orders feeds' merge.
public protocol OrderRepository: Sendable {
    /// Stores the order with the next `OR` ID. Throws `CONFLICT` when the partner already has an order
    /// with this `partnerOrderID`, `VALIDATION_ERROR` (partner_name) when there is no such partner.
    func createOrder(_ order: NewOrder) async throws -> Order
    func order(id: String) async throws -> Order?
    /// Newest first (`ordered_at` descending, then ID descending), after `after`.
    func listOrders(_ filter: OrderFilter, limit: Int, after: OrderPosition?) async throws -> OrderPage
}
