import Crypto

/// Turns CSV records of a products feed into `ProductRecord`s or the diagnostic that skips them (§ETL).
public struct ProductRowReader: Sendable {
    /// The known columns; a column's raw value is its slot in `positions`.
    private enum Column: Int, CaseIterable {
        case sku, productName, description, brand, category, price, currency, availability, quantity, imageURL, gtin, mpn

        var name: String {
            switch self {
            case .sku: "sku"
            case .productName: "product_name"
            case .description: "description"
            case .brand: "brand"
            case .category: "category"
            case .price: "price"
            case .currency: "currency"
            case .availability: "availability"
            case .quantity: "quantity"
            case .imageURL: "image_url"
            case .gtin: "gtin"
            case .mpn: "mpn"
            }
        }

        static let byName = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })
    }

    private let header: [String]
    /// Where each known column sits, by `Column` order (a dictionary lookup per field was a visible
    /// share of the ETL's time).
    private let positions: [Int?]
    private let attributeColumns: [(name: String, index: Int)]
    /// The header's digest, which every row's fingerprint starts from.
    private let headerDigest: [UInt8]

    public init(header: [String]) {
        self.header = header.map { $0.trimmingWhitespace() }
        var index: [Column: Int] = [:]
        var attributes: [(String, Int)] = []
        for (position, name) in header.enumerated() {
            let canonical = FeedColumns.canonical(name, for: .products)
            if let column = Column.byName[canonical] {
                if index[column] == nil { index[column] = position }
            } else if !canonical.isEmpty {
                attributes.append((name.trimmingWhitespace(), position))
            }
        }
        self.positions = Column.allCases.map { index[$0] }
        self.attributeColumns = attributes
        var seed = SHA256.headerSeed(header)
        // These columns were attributes before they were read as fields: a row fingerprinted then must
        // not pass as unchanged now, or its product would keep them as attributes.
        if index[.gtin] != nil || index[.mpn] != nil { seed.update(data: Array("gtin-mpn-fields".utf8)) }
        self.headerDigest = Array(seed.finalize())
    }

    /// The row's fingerprint, or nil for a row that could not have been stored as it is (malformed,
    /// the wrong number of fields, no SKU): those are read in full and diagnosed.
    public func fingerprint(_ record: borrowing CSVRecord) -> ProductFingerprint? {
        guard record.malformation == nil, record.fieldCount == header.count, let position = position(.sku),
              let sku = record.string(position)?.trimmingWhitespace(), !sku.isEmpty
        else { return nil }
        var hasher = SHA256()
        hasher.update(data: headerDigest)
        record.hashFields(into: &hasher)
        return ProductFingerprint(sku: sku, digest: Hex.encode(hasher.finalize().prefix(16)))
    }

    public func read(_ record: borrowing CSVRecord) -> Result<ProductRecord, RowDiagnostic> {
        let row: CheckedRow
        switch RowFields.check(record, header: header, skuIndex: position(.sku)) {
        case .success(let checked): row = checked
        case .failure(let diagnostic): return .failure(diagnostic)
        }
        func fail(_ column: String?, _ code: String, _ message: String, _ value: String?) -> Result<ProductRecord, RowDiagnostic> {
            row.failure(column, code, message, value)
        }
        func text(_ column: Column) -> String? { row.text(position(column)) }
        func raw(_ column: Column) -> String? { row.raw(position(column)) }

        guard let sku = text(.sku) else { return fail("sku", "missing_value", "sku is required.", raw(.sku)) }
        guard Self.length(of: sku, isAtMost: 64) else { return fail("sku", "too_long", "sku is longer than 64 characters.", sku) }
        guard !Self.hasControlCharacters(sku) else {
            return fail("sku", "invalid_characters", "sku contains control characters.", sku)
        }
        guard let name = text(.productName) else {
            return fail("product_name", "missing_value", "product_name is required.", raw(.productName))
        }
        guard Self.length(of: name, isAtMost: 500) else { return fail("product_name", "too_long", "product_name is longer than 500 characters.", name) }

        let price: ExactDecimal
        switch ExactDecimal.parse(raw(.price) ?? "") {
        case .success(let value): price = value
        case .failure(let error): return fail("price", "invalid_price", Self.message(for: error), raw(.price))
        }
        var currency = "USD"
        if let given = text(.currency) {
            guard let code = CurrencyCode.normalise(given) else {
                return fail("currency", "invalid_currency", "currency must be an ISO 4217 code such as USD or EUR.", given)
            }
            currency = code
        }
        var quantity: Int64?
        if let given = text(.quantity) {
            guard given.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int64(given) else {
                return fail("quantity", "invalid_quantity", "quantity must be a whole number ≥ 0.", given)
            }
            quantity = value
        }
        let availability: Availability
        if let given = text(.availability) {
            guard let value = Availability.normalise(given) else {
                return fail("availability", "invalid_availability",
                            "availability must be one of in_stock, out_of_stock, preorder, backorder.", given)
            }
            availability = value
        } else {
            availability = (quantity ?? 0) > 0 ? .inStock : .outOfStock
        }
        var imageURLs: [String] = []
        if let given = text(.imageURL) {
            let pieces = given.containsByte(UInt8(ascii: "|")) ? given.split(separator: "|").map(String.init) : [given]
            for piece in pieces {
                let url = piece.trimmingWhitespace()
                guard !url.isEmpty else { continue }
                guard Self.isWebURL(url) else {
                    return fail("image_url", "invalid_url", "image_url must hold http(s) URLs separated by |.", url)
                }
                imageURLs.append(url)
            }
        }
        var gtin: String?
        if let given = text(.gtin) {
            switch GTIN.normalise(given) {
            case .success(let normalised): gtin = normalised
            case .failure(let failure): return fail("gtin", "invalid_gtin", GTIN.message(for: failure), given)
            }
        }
        let mpn = text(.mpn)
        if let mpn, !Self.length(of: mpn, isAtMost: 70) {
            return fail("mpn", "too_long", "mpn is longer than 70 characters.", mpn)
        }
        var attributes: [String: String] = [:]
        for (attribute, position) in attributeColumns {
            attributes[attribute] = row.fields[position].trimmingWhitespace()
        }
        return .success(ProductRecord(
            sku: sku, productName: name, description: text(.description), brand: text(.brand), category: text(.category),
            price: price, currency: currency, availability: availability, quantity: quantity, imageURLs: imageURLs,
            attributes: attributes, gtin: gtin, mpn: mpn))
    }

    private func position(_ column: Column) -> Int? { positions[column.rawValue] }

    /// Counting characters walks grapheme clusters; a byte count at or under the limit settles it at once.
    static func length(of text: String, isAtMost limit: Int) -> Bool {
        text.utf8.count <= limit || text.count <= limit
    }

    static func hasControlCharacters(_ text: String) -> Bool {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.utf8.contains { $0 < 0x20 || $0 == 0x7F } }
        return text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    static func message(for error: ExactDecimal.ParseError) -> String {
        switch error {
        case .empty: "price is required."
        case .negative: "price must not be negative."
        case .groupingSeparator: "price must use '.' as decimal separator and no thousands separators (e.g. 1299.00)."
        case .tooManyFractionDigits: "price has more than 4 fraction digits."
        case .tooLarge: "price is too large."
        case .notANumber: "price is not a decimal number."
        }
    }

    /// `http://` or `https://` (any case), a host, and no spaces or line breaks.
    static func isWebURL(_ text: String) -> Bool {
        let bytes = text.utf8
        func hasPrefix(_ prefix: StaticString) -> Bool {
            guard bytes.count >= prefix.utf8CodeUnitCount else { return false }
            return zip(bytes, UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
                .allSatisfy { $0 | 0x20 == $1 | 0x20 }
        }
        let schemeLength = hasPrefix("https://") ? 8 : hasPrefix("http://") ? 7 : 0
        guard schemeLength > 0 else { return false }
        let rest = bytes.dropFirst(schemeLength)
        guard let first = rest.first, first != UInt8(ascii: "/"), first != UInt8(ascii: "?"), first != UInt8(ascii: "#") else {
            return false
        }
        return !bytes.contains { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D }
    }
}
