@testable import CatalogCore
import CatalogTestSupport
import Testing

/// JSON and NDJSON feeds (§Sources, end): records cut from the stream whatever the chunking, parsed
/// strictly, numbers kept as written, nested values kept whole.
@Suite struct JSONFeedReadingTests {
    static func split(_ text: String, _ layout: JSONRecordSplitter.Layout, chunk: Int) throws -> [(Int, String)] {
        var splitter = JSONRecordSplitter(layout, maxRecordBytes: 1 << 20)
        var pieces: [(Int, String)] = []
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            try bytes[start..<end].withUnsafeBytes { part in
                try splitter.consume(part) { pieces.append(($0, String(decoding: $1, as: UTF8.self))) }
            }
            start = end
        }
        try splitter.finish { pieces.append(($0, String(decoding: $1, as: UTF8.self))) }
        return pieces
    }

    @Test func arraysAreCutIntoTheirElementsWhateverTheChunking() throws {
        let text = "\u{FEFF} [ {\"sku\":\"A,]\\\"}\",\"n\":[1,{\"x\":\"]\"}]} ,\n{\"sku\":\"B\"},\"text\", 12.50 ,{}, [true] ]\n "
        let expected = [
            (1, "{\"sku\":\"A,]\\\"}\",\"n\":[1,{\"x\":\"]\"}]}"), (2, "{\"sku\":\"B\"}"), (3, "\"text\""), (4, "12.50"), (5, "{}"),
            (6, "[true]"),
        ]
        for chunk in [1, 2, 3, 7, 64, 4096] {
            let pieces = try Self.split(text, .array, chunk: chunk)
            #expect(pieces.map(\.0) == expected.map(\.0), "chunk \(chunk)")
            #expect(pieces.map(\.1) == expected.map(\.1), "chunk \(chunk)")
        }
        #expect(try Self.split("[]", .array, chunk: 1).isEmpty)
    }

    @Test(arguments: [
        ("", "empty"), ("{\"a\":1}", "array of objects"), ("[{\"a\":1}", "prematurely"), ("[{\"a\":1},]", "empty element"),
        ("[{\"a\":1} {\"b\":2}]", "Expected ','"), ("[{\"a\":1}] x", "Text follows"),
    ])
    func malformedArraysFailTheFeed(_ text: String, _ message: String) {
        #expect {
            _ = try Self.split(text, .array, chunk: 3)
        } throws: { error in
            (error as? JSONRecordSplitter.Failure)?.message.contains(message) == true
        }
    }

    @Test func ndjsonLinesKeepTheirLineNumbers() throws {
        let text = "{\"sku\":\"A\"}\r\n\n   \n{\"sku\":\"B\"}\nnot json\n{\"sku\":\"C\"}"
        for chunk in [1, 5, 4096] {
            let pieces = try Self.split(text, .lines, chunk: chunk)
            #expect(pieces.map(\.0) == [1, 4, 5, 6], "chunk \(chunk)")
            #expect(pieces.map(\.1) == ["{\"sku\":\"A\"}", "{\"sku\":\"B\"}", "not json", "{\"sku\":\"C\"}"], "chunk \(chunk)")
        }
    }

    @Test func recordsBecomeFieldsWithNumbersAsWritten() throws {
        let record = #"{"sku":" A-1 ","price":1299.5000,"quantity":0,"in_stock":true,"brand":null,"#
            + #""image_urls":["https://a.example/1.jpg","https://a.example/2.jpg"],"dims":{"w":1e2,"unit":"cm"},"#
            + #""tags":[{"k":"v"}],"name":"Tent \"Ridge\" \u00e9\ud83c\udfd5","sku":"dup"}"#
        let fields = try JSONFeedRecord.fields(Array(record.utf8), position: 3, layout: .lines).get()
        #expect(fields.map(\.name) == ["sku", "price", "quantity", "in_stock", "brand", "image_urls", "dims", "tags", "name"])
        #expect(fields.map(\.text) == [
            " A-1 ", "1299.5000", "0", "true", "", "https://a.example/1.jpg|https://a.example/2.jpg", #"{"w":1e2,"unit":"cm"}"#,
            #"[{"k":"v"}]"#, "Tent \"Ridge\" é🏕",
        ])
    }

    @Test(arguments: [
        ("{\"a\":01}", "invalid_json"), ("{\"a\":1.}", "invalid_json"), ("{\"a\":\"\\ud800\"}", "invalid_json"),
        ("{\"a\":\"x\ty\"}", "invalid_json"), ("{\"a\":tru}", "invalid_json"), ("{\"a\":1} 2", "invalid_json"),
        ("[1,2]", "not_an_object"), ("\"text\"", "not_an_object"),
        (String(repeating: "[", count: 70) + String(repeating: "]", count: 70), "invalid_json"),
    ])
    func badRecordsAreDiagnosedNotFatal(_ record: String, _ code: String) {
        switch JSONFeedRecord.fields(Array(record.utf8), position: 9, layout: .lines) {
        case .success(let fields): Issue.record("parsed \(fields)")
        case .failure(let diagnostic):
            #expect(diagnostic.code == code && diagnostic.line == 9, "\(diagnostic)")
            #expect(diagnostic.message.hasPrefix("Line 9"))
        }
    }

    @Test func tsvIsCSVWithTabs() throws {
        var parser = CSVParser(separator: CSVParser.tab)
        var records: [[String?]] = []
        let text = "sku\tproduct_name\tprice\nA-1\t\"Tent, 2P\"\t1.50\nB-2\tPad Lite\t2\n"
        try Array(text.utf8).withUnsafeBytes { bytes in try parser.consume(bytes) { records.append($0.strings()) } }
        try parser.finish { records.append($0.strings()) }
        #expect(records.count == 3)
        #expect(records[1] == ["A-1", "Tent, 2P", "1.50"])
        #expect(records[2].count == 3 && records[2][0] == "B-2")
    }
}
