import CatalogCore
import Foundation

/// The dashboard's ports on the store the code under test must not reach.
extension UnusedStore {
    func createDashboardSession(tokenHash: String, keyID: String, createdAt: Date, expiresAt: Date) async throws { try fail() as Void }
    func dashboardSession(tokenHash: String) async throws -> DashboardSessionRecord? { try fail() }
    func deleteDashboardSession(tokenHash: String) async throws { try fail() as Void }
    func deleteDashboardSessions(expiredBy date: Date) async throws { try fail() as Void }
    func dailyUnits(_ filter: AnalyticsFilter, of keys: [SkuSeriesKey]) async throws -> [SkuDayUnits] { try fail() }
}
