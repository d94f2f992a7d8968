extension Catalog {
    public var dashboardSessions: DashboardSessions { DashboardSessions(store: store, clock: clock) }
    public var dashboard: DashboardQueries { DashboardQueries(analytics: analytics, units: store) }
}
