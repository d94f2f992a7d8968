/// What groups offers into one catalog item (§Unified catalog): the GTIN; without one, brand + MPN
/// compared case- and punctuation-insensitively; otherwise the product alone (its partner and SKU).
/// The system of record numbers each distinct key once (`CI…`), so an item keeps its ID while its key does.
public enum CatalogItemKey {
    public static func of(_ record: ProductRecord, partnerID: String) -> String {
        of(gtin: record.gtin, brand: record.brand, mpn: record.mpn, partnerID: partnerID, sku: record.sku)
    }

    public static func of(gtin: String?, brand: String?, mpn: String?, partnerID: String, sku: String) -> String {
        if let gtin, !gtin.isEmpty { return "g:" + gtin }
        if let brand, let mpn {
            let brandKey = folded(brand), mpnKey = folded(mpn)
            if !brandKey.isEmpty, !mpnKey.isEmpty { return "m:" + brandKey + "|" + mpnKey }
        }
        return "p:" + partnerID + "|" + sku
    }

    /// Letters and digits only, lowercased: `Coleman`, `COLEMAN ` and `Cole-man` are one brand.
    static func folded(_ text: String) -> String {
        String(String.UnicodeScalarView(text.lowercased().unicodeScalars.filter {
            $0.properties.isAlphabetic || $0.properties.numericType != nil
        }))
    }
}
