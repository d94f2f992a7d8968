import CatalogCore

/// Horizontal bars: each partner's share of the revenue per currency, with the data table (revenue share
/// beside sales by partner's units and orders).
struct ShareChart {
    struct Heading { var y: String; var text: String }
    struct Bar {
        var y: String
        var textY: String
        var width: String
        var label: String
        var fullLabel: String
        var value: String
        var valueX: String
        var colour: String
    }
    struct Row {
        var partner: String
        var currency: String
        var revenue: String
        var revenueValue: String
        var share: String
        var shareValue: String
        var units: String
        var unitsValue: Int64
        var orders: String
        var ordersValue: Int64
    }

    static let width = 480, labelWidth = 130, barArea = 190, rowHeight = 26, headingHeight = 24
    /// Bars drawn at most; the table lists every partner.
    static let maxBars = 40

    var title = "Revenue share per partner"
    var desc: String
    var height = 0
    var headings: [Heading] = []
    var bars: [Bar] = []
    var rows: [Row] = []
    var hasRows = false
    var note: String?
    let width = Self.width, labelWidth = Self.labelWidth, barX = Self.labelWidth + 10

    init(_ figures: DashboardFigures) {
        let sales = Dictionary(figures.salesByPartner.map { ("\($0.partnerName)|\($0.currency)", $0) }, uniquingKeysWith: { a, _ in a })
        rows = figures.revenueShare.map { share in
            let partner = sales["\(share.partnerName)|\(share.currency)"]
            return Row(
                partner: share.partnerName, currency: share.currency, revenue: DisplayNumber.amount(share.totalRevenue),
                revenueValue: share.totalRevenue.description, share: DisplayNumber.percent(basisPoints: share.revenueBasisPoints),
                shareValue: DisplayNumber.apiPercent(basisPoints: share.revenueBasisPoints),
                units: DisplayNumber.integer(partner?.unitsSold ?? 0), unitsValue: partner?.unitsSold ?? 0,
                orders: DisplayNumber.integer(partner?.orders ?? 0), ordersValue: partner?.orders ?? 0)
        }
        hasRows = !rows.isEmpty
        var y = 0
        var currency: String?
        var parts: [String] = []
        for (index, share) in figures.revenueShare.prefix(Self.maxBars).enumerated() {
            if share.currency != currency {
                currency = share.currency
                headings.append(Heading(y: String(y + 17), text: share.currency))
                y += Self.headingHeight
            }
            let width = Double(Self.barArea) * Double(share.revenueBasisPoints) / 10_000
            let value = "\(DisplayNumber.percent(basisPoints: share.revenueBasisPoints)) · \(DisplayNumber.money(share.totalRevenue, share.currency))"
            bars.append(Bar(
                y: String(y + 4), textY: String(y + 18), width: SalesChart.coordinate(max(width, 1)),
                label: Self.short(share.partnerName, 18), fullLabel: "\(share.partnerName) (\(share.currency)): \(value)", value: value,
                valueX: SalesChart.coordinate(Double(Self.labelWidth + 16) + max(width, 1)), colour: "c\(index % 6)"))
            parts.append("\(share.partnerName) \(DisplayNumber.percent(basisPoints: share.revenueBasisPoints)) of \(share.currency)")
            y += Self.rowHeight
        }
        height = max(y + 4, 30)
        if figures.revenueShare.count > Self.maxBars {
            note = "The chart shows the first \(Self.maxBars) of \(figures.revenueShare.count) rows; the table lists them all."
        }
        desc = parts.isEmpty ? "No revenue in this range." : "Each partner's share of the revenue in its currency: " + parts.joined(separator: "; ") + "."
    }

    static func short(_ text: String, _ length: Int = 22) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }
}
