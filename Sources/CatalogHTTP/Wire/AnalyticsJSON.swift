import CatalogCore
import Foundation

/// `{"analytics_type": "…", <the scope>, "results": […]}` with every amount written from its exact decimal.
enum AnalyticsJSON {
    static func response(_ type: String, _ filter: AnalyticsFilter, extra: (inout JSONObjectWriter) -> Void = { _ in },
                         results: [String]) -> String {
        var writer = JSONObjectWriter()
        writer.string("analytics_type", type)
        writer.string("partner_name", filter.partnerName)
        writer.timestamp("from", filter.from)
        writer.timestamp("to", filter.to)
        extra(&writer)
        writer.integer("count", Int64(results.count))
        writer.array("results", results)
        return writer.json
    }

    static func partnerSales(_ row: PartnerSales) -> String {
        var writer = JSONObjectWriter()
        writer.string("partner_name", row.partnerName)
        writer.string("currency", row.currency)
        writer.integer("units_sold", row.unitsSold)
        writer.integer("orders", row.orders)
        writer.decimal("total_sales", row.totalSales)
        return writer.json
    }

    static func periodSales(_ row: PeriodSales) -> String {
        var writer = JSONObjectWriter()
        writer.string("sales_period", row.salesPeriod)
        writer.string("currency", row.currency)
        writer.integer("units_sold", row.unitsSold)
        writer.integer("orders", row.orders)
        writer.decimal("total_sales", row.totalSales)
        return writer.json
    }

    static func revenueShare(_ row: RevenueShare) -> String {
        var writer = JSONObjectWriter()
        writer.string("partner_name", row.partnerName)
        writer.string("currency", row.currency)
        writer.decimal("total_revenue", row.totalRevenue)
        // Hundredths of a percent as an exact decimal: 6250 → 62.5.
        writer.decimal("revenue_pct", ExactDecimal(units: row.revenueBasisPoints * 100))
        return writer.json
    }

    static func productSales(_ row: ProductSales) -> String {
        var writer = JSONObjectWriter()
        writer.string("product_id", row.productID)
        writer.string("partner_name", row.partnerName)
        writer.string("sku", row.sku)
        writer.string("product_name", row.productName)
        writer.string("currency", row.currency)
        writer.integer("units_sold", row.unitsSold)
        writer.decimal("total_sales", row.totalSales)
        return writer.json
    }

    static func inventory(_ row: InventoryGroup) -> String {
        var writer = JSONObjectWriter()
        writer.string("partner_name", row.partnerName)
        writer.string("category", row.category)
        writer.string("currency", row.currency)
        writer.integer("products", row.products)
        writer.integer("active", row.active)
        writer.integer("in_stock", row.inStock)
        writer.integer("out_of_stock", row.outOfStock)
        writer.integer("low_stock", row.lowStock)
        writer.decimal("avg_price", row.averagePrice)
        writer.decimal("inventory_value", row.inventoryValue)
        return writer.json
    }
}
