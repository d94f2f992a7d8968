import Foundation
import Testing

@testable import CatalogCore

/// §Sources `mapping`: paths, `[*]`, `default`, exact `divide_by`, `map`, `case`, `keep_unmapped`, and
/// what is refused when a source is saved.
@Suite struct SourceMappingTests {
    static func mapping(_ json: String, _ type: FeedType = .products) throws -> SourceMapping {
        try #require(try SourceMapping.parse(try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)), feedType: type))
    }

    static func record(_ json: String) throws -> JSONFeedValue {
        try JSONFeedParser.parse(Array(json.utf8)).get()
    }

    static func fields(_ mapping: SourceMapping, _ json: String) throws -> [String: String] {
        let fields = try mapping.apply(to: try record(json), line: 1, feedType: .products).get()
        return Dictionary(fields.map { ($0.name, $0.text) }, uniquingKeysWith: { first, _ in first })
    }

    static let vendorRecord = """
        {"id": "JSON-1", "title": "Camp Stove", "price_cents": 2599, "currency": "EUR", "stock": {"qty": 3},
         "images": [{"src": "https://img.example.com/a.jpg"}, {"src": "https://img.example.com/b.jpg"}],
         "vendor_color": "red", "avail": "Y"}
        """

    @Test func pathsArraysDivisionAndMapsBecomeCatalogColumns() throws {
        let mapping = try Self.mapping("""
            {"fields": {"sku": "id", "product_name": "title", "price": {"path": "price_cents", "divide_by": 100},
             "quantity": "stock.qty", "image_url": "images[*].src",
             "availability": {"path": "avail", "map": {"Y": "in_stock", "N": "out_of_stock"}},
             "brand": {"path": "maker", "default": "Acme", "case": "upper"}},
             "keep_unmapped": true}
            """)
        let fields = try Self.fields(mapping, Self.vendorRecord)
        #expect(fields["sku"] == "JSON-1")
        #expect(fields["product_name"] == "Camp Stove")
        #expect(fields["price"] == "25.99")
        #expect(fields["quantity"] == "3")
        #expect(fields["image_url"] == "https://img.example.com/a.jpg|https://img.example.com/b.jpg")
        #expect(fields["availability"] == "in_stock")
        #expect(fields["brand"] == "ACME")
        #expect(fields["currency"] == "EUR", "a contract column the mapping does not fill is matched by name")
        #expect(fields["vendor_color"] == "red", "kept for attributes")
        #expect(fields["price_cents"] == nil && fields["id"] == nil && fields["stock"] == nil, "what the mapping read is not kept again")
    }

    @Test func withoutKeepUnmappedOtherFieldsAreDropped() throws {
        let mapping = try Self.mapping(#"{"fields": {"sku": "id", "product_name": "title", "price": {"path": "price_cents", "divide_by": 100}}}"#)
        let fields = try Self.fields(mapping, Self.vendorRecord)
        #expect(fields["vendor_color"] == nil && fields["avail"] == nil)
        #expect(fields["currency"] == "EUR")
    }

    @Test(arguments: [
        ("2599", 100, "25.99"), ("5", 100, "0.05"), ("12.5", 10, "1.25"), ("100", 100, "1"), ("-250", 100, "-2.5"),
        ("0", 1000, "0"), ("1999.99", 100, "19.9999"), ("007", 10, "0.7"),
    ])
    func divisionIsExact(_ value: String, _ divisor: Int64, _ expected: String) {
        #expect(SourceMapping.shiftDecimal(value, by: SourceMapping.powerOfTen(divisor)!) == expected)
    }

    @Test func aValueThatCannotBeDividedIsARowDiagnostic() throws {
        let mapping = try Self.mapping(#"{"fields": {"sku": "id", "price": {"path": "price_cents", "divide_by": 100}}}"#)
        let result = mapping.apply(to: try Self.record(#"{"id": "X", "price_cents": "n/a"}"#), line: 7, feedType: .products)
        guard case .failure(let diagnostic) = result else { Issue.record("mapped \(result)"); return }
        #expect(diagnostic.line == 7 && diagnostic.column == "price" && diagnostic.code == "unmappable_value")
    }

    @Test func csvColumnsAreReadByName() throws {
        let mapping = try Self.mapping(#"{"fields": {"sku": "item", "product_name": "title", "price": "cost", "availability": {"path": "availability", "map": {"Later": "preorder"}}}}"#)
        let row = JSONFeedValue.object([
            JSONFeedMember(name: "item", value: .string("TSV-4")), JSONFeedMember(name: "title", value: .string("Tent 4")),
            JSONFeedMember(name: "cost", value: .string("130.00")), JSONFeedMember(name: "availability", value: .string("Later")),
        ])
        let fields = try mapping.apply(to: row, line: 5, feedType: .products).get()
        #expect(fields.map(\.name) == ["availability", "price", "product_name", "sku"])
        #expect(fields.map(\.text) == ["preorder", "130.00", "Tent 4", "TSV-4"])
    }

    @Test(arguments: [
        (#"{"fields": {"colour": "c"}}"#, "mapping.fields"),
        (#"{"fields": {"sku": "a..b"}}"#, "mapping.fields.sku"),
        (#"{"fields": {"sku": "a[0]"}}"#, "mapping.fields.sku"),
        (#"{"fields": {"price": {"path": "p", "divide_by": 3}}}"#, "mapping.fields.price.divide_by"),
        (#"{"fields": {"sku": {"path": "s", "case": "title"}}}"#, "mapping.fields.sku.case"),
        (#"{"fields": {"sku": {"path": "s", "shout": true}}}"#, "mapping.fields.sku.shout"),
        (#"{"fields": {}}"#, "mapping.fields"),
        (#"{"fields": {"sku": "s"}, "extra": 1}"#, "mapping.extra"),
        (#"{"fields": {"sku": "s"}, "keep_unmapped": "yes"}"#, "mapping.keep_unmapped"),
    ])
    func badMappingsAreRefusedNamingTheField(_ json: String, _ parameter: String) throws {
        do {
            _ = try Self.mapping(json)
            Issue.record("accepted \(json)")
        } catch let error as CatalogError {
            #expect(error.code == .validationError)
            #expect(error.details["parameter"] == .string(parameter), "\(error)")
        }
    }

    @Test func unknownColumnsAreListed() throws {
        do {
            _ = try Self.mapping(#"{"fields": {"colour": "c", "sku": "s", "size": "z"}}"#)
            Issue.record("accepted")
        } catch let error as CatalogError {
            #expect(error.details["unknown_columns"] == .strings(["colour", "size"]))
        }
    }

    @Test func theStoredFormReadsBackTheSame() throws {
        let mapping = try Self.mapping("""
            {"fields": {"sku": "id", "price": {"path": "price_cents", "divide_by": 100},
             "availability": {"path": "a", "map": {"Y": "in_stock"}, "case": "lower", "default": "N"}}, "keep_unmapped": true}
            """)
        #expect(SourceMapping.decode(mapping.json, feedType: .products) == mapping)
    }
}
