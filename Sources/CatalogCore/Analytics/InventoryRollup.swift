/// Inventory figures of disjoint sets of products (a rollup's whole days, the products of the partial days
/// at a range's edges) add up group by group.
public enum InventoryRollup {
    public static func combine(_ parts: [[InventoryGroup]]) -> [InventoryGroup] {
        struct Key: Hashable { var partner: String, category: String?, currency: String }
        var groups: [Key: InventoryGroup] = [:]
        for group in parts.joined() {
            let key = Key(partner: group.partnerName, category: group.category, currency: group.currency)
            guard var sum = groups[key] else {
                groups[key] = group
                continue
            }
            sum.products += group.products
            sum.active += group.active
            sum.inStock += group.inStock
            sum.outOfStock += group.outOfStock
            sum.lowStock += group.lowStock
            sum.activePriceTotal = ExactDecimal(units: sum.activePriceTotal.units + group.activePriceTotal.units)
            sum.inventoryValue = ExactDecimal(units: sum.inventoryValue.units + group.inventoryValue.units)
            groups[key] = sum
        }
        return groups.values.filter { $0.products > 0 }
    }
}
