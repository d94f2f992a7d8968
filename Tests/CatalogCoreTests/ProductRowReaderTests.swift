import CatalogCore
import CatalogTestSupport
import Foundation
import Testing

@Suite struct ProductRowReaderTests {
    func read(_ csv: String) -> [Result<ProductRecord, RowDiagnostic>] {
        read(Array(csv.utf8))
    }

    func read(_ bytes: [UInt8]) -> [Result<ProductRecord, RowDiagnostic>] {
        var records = CSVParser.parseAll(bytes).filter { !$0.isBlank }
        let header = records.removeFirst().strings().map { $0 ?? "" }
        let reader = ProductRowReader(header: header)
        return records.map { reader.read($0) }
    }

    func diagnostic(_ result: Result<ProductRecord, RowDiagnostic>) -> RowDiagnostic? {
        if case .failure(let diagnostic) = result { return diagnostic }
        return nil
    }

    func fingerprints(_ csv: String) -> [ProductFingerprint?] {
        var records = CSVParser.parseAll(Array(csv.utf8)).filter { !$0.isBlank }
        let reader = ProductRowReader(header: records.removeFirst().strings().map { $0 ?? "" })
        return records.map { reader.fingerprint($0) }
    }

    @Test func fingerprintsFollowTheFieldsAndTheHeaderNotTheQuoting() throws {
        let plain = fingerprints("sku,product_name,price\nA,Alpha,1\n B ,Alpha,1\nA,Alpha,2\nA,\"Al,pha\",1\n")
        let quoted = fingerprints("sku,product_name,price\n\"A\",\"Alpha\",1\n")
        let fields = plain.map { $0?.digest }
        #expect(plain[0]?.sku == "A" && plain[1]?.sku == "B")
        #expect(quoted[0] == plain[0])
        #expect(Set(fields).count == 4)
        // Another header (even one naming the same columns) starts other fingerprints: the bytes under
        // it may mean something else.
        #expect(fingerprints("sku,product_name,price,brand\nA,Alpha,1,\n")[0]?.digest != fields[0])
        #expect(fingerprints("SKU,product_name,price\nA,Alpha,1\n")[0]?.digest != fields[0])
        // Rows that cannot be stored as they are get none: they are read and diagnosed.
        #expect(fingerprints("sku,product_name,price\n,Alpha,1\nA,Alpha\nA,\"Al\"pha,1\n") == [nil, nil, nil])
    }

    @Test func messyFixtureNormalises() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/products-messy.csv")
        let results = read(Array(try Data(contentsOf: url)))
        #expect(results.count == 7)
        let tent = try results[0].get()
        #expect(tent.sku == "TENT-2P" && tent.price.description == "249" && tent.currency == "USD")
        #expect(tent.availability == .inStock && tent.quantity == 14 && tent.attributes == ["Color": "green"])
        #expect(try results[1].get().productName == "Basecamp 4-Person Tent, Family")
        #expect(try results[1].get().availability == .inStock)
        let bag = try results[2].get()
        #expect(bag.productName == "Summit \"20F\" Bag" && bag.availability == .outOfStock && bag.price.description == "189.5")
        let note = try results[3].get()
        #expect(note.productName == "A product whose name\r\nspans two lines" && note.availability == .inStock)
        let bad = try #require(diagnostic(results[4]))
        #expect(bad.line == 7 && bad.sku == "BAD-PRICE" && bad.column == "price" && bad.code == "invalid_price" && bad.value == "9,99")
        #expect(try results[5].get().sku == "TENT-2P")
        #expect(try results[6].get().availability == .preorder)
    }

    @Test(arguments: [
        ("A,Name,abc", "price", "invalid_price"), ("A,Name,-1", "price", "invalid_price"), ("A,Name,1e3", "price", "invalid_price"),
        ("A,Name,NaN", "price", "invalid_price"), ("A,Name,", "price", "invalid_price"), (",Name,1", "sku", "missing_value"),
        ("A,,1", "product_name", "missing_value"), ("A,Name", nil, "wrong_field_count"), ("A,Name,1,extra", nil, "wrong_field_count"),
        ("\(String(repeating: "S", count: 65)),Name,1", "sku", "too_long"), ("A\u{7},Name,1", "sku", "invalid_characters"),
        ("A,Na\"me,1", nil, "stray_quote"), ("A,\"Na\"me,1", nil, "text_after_closing_quote"),
    ] as [(String, String?, String)])
    func rejectsWithADiagnostic(_ row: String, _ column: String?, _ code: String) throws {
        let result = read("sku,product_name,price\n\(row)\n")
        let found = try #require(diagnostic(result[0]))
        #expect(found.column == column)
        #expect(found.code == code)
        #expect(found.line == 2)
    }

    @Test func optionalColumnsAndTheirRules() throws {
        let header = "sku,title,price,currency,availability,quantity,image_urls,brand"
        let rows = read("""
            \(header)
            A,Alpha,1,eur,,0,https://a.example/x.jpg| http://b.example/y.png ,
            B,Beta,1,XYZ,,,,
            C,Gamma,1,,backorder,2.5,,
            D,Delta,1,,soon,,,
            E,Eps,1,,,,ftp://x,
            F,Phi,1,,,7,,Acme
            """)
        let alpha = try rows[0].get()
        #expect(alpha.currency == "EUR" && alpha.availability == .outOfStock && alpha.quantity == 0 && alpha.brand == nil)
        #expect(alpha.imageURLs == ["https://a.example/x.jpg", "http://b.example/y.png"])
        #expect(diagnostic(rows[1])?.code == "invalid_currency")
        #expect(diagnostic(rows[2])?.code == "invalid_quantity")
        #expect(diagnostic(rows[3])?.code == "invalid_availability")
        #expect(diagnostic(rows[4])?.code == "invalid_url")
        let phi = try rows[5].get()
        #expect(phi.availability == .inStock && phi.brand == "Acme" && phi.currency == "USD")
    }

    @Test func invalidUTF8InOneFieldSkipsOnlyThatRow() throws {
        var bytes = Array("sku,product_name,price\nA,Caf".utf8) + [0xE9] + Array(",1\nB,Fine,2\n".utf8)
        bytes += []
        let rows = read(bytes)
        #expect(diagnostic(rows[0])?.code == "invalid_utf8")
        #expect(diagnostic(rows[0])?.column == "product_name")
        #expect(try rows[1].get().sku == "B")
    }

    @Test func contentHashTracksEveryStoredField() throws {
        let base = ProductRecord(sku: "A", productName: "Alpha", price: try ExactDecimal.parse("1.00").get(), availability: .inStock)
        var changed = base
        #expect(changed.contentHash == base.contentHash)
        changed.price = try ExactDecimal.parse("1.01").get()
        #expect(changed.contentHash != base.contentHash)
        changed = base
        changed.attributes = ["colour": "red"]
        #expect(changed.contentHash != base.contentHash)
        changed = base
        changed.description = ""
        #expect(changed.contentHash != base.contentHash)
    }
}
