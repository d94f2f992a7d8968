import CatalogCore
import Foundation

/// What `dashboard.mustache` renders: the caller, the pickers, and the figures as charts and tables.
/// Every field is a stored property (Mustache reads them by reflection) and every text is escaped by
/// the template.
struct DashboardView {
    struct Session {
        var role: String
        var partnerName: String?
        var expiresAt: String
        var viaHeader: Bool
    }
    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }
    struct Filters {
        var from: String
        var to: String
        var partnerName: String
        /// nil for a partner's session: its own partner, not a choice.
        var partners: [Option]?
        var choosesPartner: Bool
        var grains: [Option]
        var scope: String
    }
    struct Total {
        var currency: String
        var sales: String
        var salesValue: String
        var orders: String
        var units: String
    }

    var nonce: String
    var session: Session
    var filters: Filters
    var error: String?
    var hasFigures = false
    var totals: [Total] = []
    var sales: SalesChart?
    var share: ShareChart?
    var top: TopProductsTable?
    var inventory: InventoryChart?

    init(nonce: String, session: Session, filters: Filters, figures: DashboardFigures?, error: String?) {
        self.nonce = nonce
        self.session = session
        self.filters = filters
        self.error = error
        guard let figures else { return }
        hasFigures = true
        sales = SalesChart(figures)
        share = ShareChart(figures)
        top = TopProductsTable(figures)
        inventory = InventoryChart(figures)
        for currency in Set(figures.salesByPartner.map(\.currency)).sorted() {
            let rows = figures.salesByPartner.filter { $0.currency == currency }
            let sales = ExactDecimal(units: rows.reduce(0) { $0 + $1.totalSales.units })
            totals.append(Total(
                currency: currency, sales: DisplayNumber.amount(sales), salesValue: sales.description,
                orders: Self.count(rows.reduce(0) { $0 + $1.orders }, "order"),
                units: Self.count(rows.reduce(0) { $0 + $1.unitsSold }, "unit")))
        }
    }

    /// "1 order", "3 orders".
    static func count(_ number: Int64, _ noun: String) -> String {
        "\(DisplayNumber.integer(number)) \(noun)\(number == 1 ? "" : "s")"
    }

    static func session(_ principal: Principal, expiresAt: Date?) -> Session {
        Session(
            role: principal.role.rawValue, partnerName: principal.confinedPartnerName,
            expiresAt: expiresAt.map { UTCMicroseconds.iso8601($0) } ?? "", viaHeader: expiresAt == nil)
    }

    /// The pickers as given (raw, so that a bad value can be corrected), and a sentence naming the scope.
    static func filters(
        raw: (from: String?, to: String?, partnerName: String?, grain: String?), filter: AnalyticsFilter?, grain: SalesGrain,
        principal: Principal, partners: [Partner]?
    ) -> Filters {
        let partnerName = raw.partnerName ?? ""
        var options = partners.map { list in
            [Option(value: "", label: "All partners", selected: partnerName.isEmpty)]
                + list.map { Option(value: $0.partnerName, label: "\($0.displayName) (\($0.partnerName))", selected: $0.partnerName == partnerName) }
        }
        if !partnerName.isEmpty, let list = options, !list.contains(where: \.selected) {
            options = list + [Option(value: partnerName, label: partnerName, selected: true)]
        }
        var scope = "All time"
        if let filter {
            switch (filter.from, filter.to) {
            case (nil, nil): scope = "All time"
            case (let from?, nil): scope = "From \(UTCMicroseconds.iso8601(from))"
            case (nil, let to?): scope = "Before \(UTCMicroseconds.iso8601(to))"
            case (let from?, let to?): scope = "From \(UTCMicroseconds.iso8601(from)) to before \(UTCMicroseconds.iso8601(to))"
            }
            scope += ", " + (principal.confinedPartnerName.map { "partner \($0)" } ?? filter.partnerName.map { "partner \($0)" } ?? "all partners")
            scope += ", \(grain.rawValue)"
        }
        return Filters(
            from: dateInput(raw.from), to: dateInput(raw.to), partnerName: partnerName, partners: options, choosesPartner: options != nil,
            grains: SalesGrain.allCases.map { Option(value: $0.rawValue, label: $0.rawValue.capitalized, selected: $0 == grain) },
            scope: scope)
    }

    /// A date picker holds `yyyy-MM-dd`: the day part of an ISO date-time, else the text as given.
    static func dateInput(_ raw: String?) -> String {
        guard let raw else { return "" }
        let day = raw.prefix(10)
        return day.count == 10 && ISODateTime.parse(String(day)) != nil ? String(day) : raw
    }
}

/// What `login.mustache` renders.
struct LoginView {
    struct Field {
        var name: String
        var value: String
    }

    var nonce: String
    var message: String?
    var isError: Bool
    /// The dashboard parameters to come back to after logging in.
    var returnFields: [Field]
}
