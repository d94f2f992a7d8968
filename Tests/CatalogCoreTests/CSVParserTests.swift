import Testing
@testable import CatalogCore
import CatalogTestSupport

private func parse(
    _ text: String, chunkSize: Int = .max, maxRecordBytes: Int = 64 << 20, maxFields: Int = 100_000
) -> [CSVRecord] {
    parse(Array(text.utf8), chunkSize: chunkSize, maxRecordBytes: maxRecordBytes, maxFields: maxFields)
}

private func parse(
    _ bytes: [UInt8], chunkSize: Int = .max, maxRecordBytes: Int = 64 << 20, maxFields: Int = 100_000
) -> [CSVRecord] {
    CSVParser.parseAll(bytes, chunkSize: chunkSize, maxRecordBytes: maxRecordBytes, maxFields: maxFields)
}

private func fields(_ records: [CSVRecord]) -> [[String?]] {
    records.map { $0.strings() }
}

@Suite struct CSVParserTests {
    @Test func simpleRecords() {
        let records = parse("a,b,c\n1,2,3\n")
        #expect(fields(records) == [["a", "b", "c"], ["1", "2", "3"]])
        #expect(records.map(\.line) == [1, 2])
        #expect(records.allSatisfy { $0.malformation == nil && !$0.isBlank })
    }

    @Test func quotedCommasAndNewlines() {
        let records = parse("\"a,b\",\"line1\nline2\",c\nnext,row\n")
        #expect(fields(records) == [["a,b", "line1\nline2", "c"], ["next", "row"]])
        #expect(records.map(\.line) == [1, 3])
    }

    @Test func doubledQuotesAreUnescaped() {
        let records = parse("\"say \"\"hi\"\"\",\"\"\"\"\n")
        #expect(fields(records) == [["say \"hi\"", "\""]])
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func lineEndings(_ eol: String) {
        for chunkSize in [1, 2, .max] {
            let records = parse("a,b\(eol)c,d\(eol)", chunkSize: chunkSize)
            #expect(fields(records) == [["a", "b"], ["c", "d"]])
            #expect(records.map(\.line) == [1, 2])
            #expect(records.map(\.byteCount) == [3 + eol.utf8.count, 3 + eol.utf8.count])
        }
    }

    @Test func mixedLineEndings() {
        let records = parse("a\rb\r\nc\nd")
        #expect(fields(records) == [["a"], ["b"], ["c"], ["d"]])
        #expect(records.map(\.line) == [1, 2, 3, 4])
    }

    @Test func byteOrderMarkIsSkipped() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a,b\nc\n".utf8)
        for chunkSize in [1, 2, 3, 4, .max] {
            let records = parse(bytes, chunkSize: chunkSize)
            #expect(fields(records) == [["a", "b"], ["c"]])
            #expect(records.map(\.byteOffset) == [3, 7])
            #expect(records.map(\.line) == [1, 2])
        }
        #expect(parse([0xEF, 0xBB, 0xBF]).isEmpty)
    }

    @Test func partialOrLateByteOrderMarkIsData() {
        for chunkSize in [1, .max] {
            let partial = parse([0xEF, 0xBB, 0x2C, 0x61], chunkSize: chunkSize)
            #expect(partial.count == 1)
            #expect(Array(partial[0].fieldBytes(0)) == [0xEF, 0xBB])
            #expect(partial[0].byteOffset == 0)
            let late = parse(Array("a\n".utf8) + [0xEF, 0xBB, 0xBF, 0x62], chunkSize: chunkSize)
            #expect(late.map { $0.string(0) } == ["a", "\u{FEFF}b"])
        }
        #expect(parse([0xEF, 0xBB]).map { Array($0.fieldBytes(0)) } == [[0xEF, 0xBB]])
    }

    @Test func finalRecordWithoutNewline() {
        let records = parse("a,b\nc,d")
        #expect(fields(records) == [["a", "b"], ["c", "d"]])
        #expect(records.last?.byteCount == 3)
        #expect(fields(parse("a,")) == [["a", ""]])
        #expect(fields(parse("\"q\"")) == [["q"]])
    }

    @Test func blankLines() {
        let records = parse("a\n\nb\n\r\n")
        #expect(records.map(\.isBlank) == [false, true, false, true])
        #expect(fields(records) == [["a"], [""], ["b"], [""]])
        #expect(!parse("\"\"\n")[0].isBlank)
        #expect(!parse(",\n")[0].isBlank)
        #expect(!parse(" \n")[0].isBlank)
    }

    @Test func emptyInput() {
        #expect(parse("").isEmpty)
        #expect(parse("\n").count == 1)
    }

    @Test func strayQuoteIsReportedAndRecovered() {
        let records = parse("ok,1\nab\"c,d\nnext,2\n")
        #expect(records.count == 3)
        #expect(records[1].malformation == .strayQuote)
        #expect(records[1].line == 2)
        #expect(records[2].malformation == nil)
        #expect(records[2].strings() == ["next", "2"])
        #expect(records[2].line == 3)
    }

    @Test func textAfterClosingQuoteIsReportedAndRecovered() {
        let records = parse("\"ab\"x,\"y\nz\"\nnext\n")
        #expect(records.map(\.malformation) == [.textAfterClosingQuote, .strayQuote, nil])
        #expect(records.map(\.line) == [1, 2, 3])
        #expect(records[2].strings() == ["next"])
    }

    @Test func unterminatedQuoteRunsToEndOfFile() {
        let text = "a\n\"open,\nmore\n"
        let records = parse(text)
        #expect(records.count == 2)
        #expect(records[1].malformation == .unterminatedQuote)
        #expect(records[1].line == 2)
        #expect(records[1].byteOffset == 2)
        #expect(Int(records[1].byteOffset) + records[1].byteCount == text.utf8.count)
    }

    @Test func lineNumbersCountPhysicalLines() {
        for chunkSize in [1, .max] {
            let records = parse("\"x\ny\nz\",1\nnext\n\"a\r\nb\rc\"\nlast", chunkSize: chunkSize)
            #expect(records.map(\.line) == [1, 4, 5, 8])
            #expect(records[2].string(0) == "a\r\nb\rc")
        }
    }

    @Test func byteOffsetsAreContiguous() {
        let records = parse("a\r\n\"b\nc\"\rd")
        #expect(records.map(\.byteOffset) == [0, 3, 9])
        #expect(records.map(\.byteCount) == [3, 6, 1])
    }

    @Test func oneMegabyteField() {
        let big = String(repeating: "x", count: 1 << 20)
        for text in ["a,\(big),b\nnext\n", "a,\"\(big)\",b\nnext\n"] {
            let records = parse(text, chunkSize: 4096)
            #expect(records.count == 2)
            #expect(records[0].fieldBytes(1).count == 1 << 20)
            #expect(records[0].string(2) == "b")
        }
    }

    @Test func tenThousandColumns() {
        let columns = (0..<10_000).map(String.init)
        let records = parse(columns.joined(separator: ",") + "\n", chunkSize: 1000)
        #expect(records.count == 1)
        #expect(records[0].fieldCount == 10_000)
        #expect(records[0].string(9_999) == "9999")
    }

    @Test func nulBytesAreData() {
        let records = parse([0x61, 0x00, 0x62, 0x2C, 0x00, 0x0A])
        #expect(Array(records[0].fieldBytes(0)) == [0x61, 0x00, 0x62])
        #expect(Array(records[0].fieldBytes(1)) == [0x00])
    }

    @Test func invalidUTF8InOneField() {
        let records = parse(Array("a,".utf8) + [0xFF, 0xFE] + Array(",ok\n".utf8))
        #expect(records[0].strings() == ["a", nil, "ok"])
        #expect(records[0].malformation == nil)
    }

    @Test func withFieldBytesGivesUnescapedContent() {
        let records = parse("x,\"a\"\"b\"\n")
        #expect(records[0].withFieldBytes(1) { Array($0) } == Array("a\"b".utf8))
    }

    @Test func recordTooLargeUnquoted() {
        for chunkSize in [1, 3, .max] {
            let records = parse("short\n0123456789ABC,x\"y\nnext\n0123456789\n", chunkSize: chunkSize, maxRecordBytes: 10)
            #expect(records.map(\.malformation) == [nil, .recordTooLarge, nil, nil])
            #expect(records.map(\.line) == [1, 2, 3, 4])
            #expect(records[2].strings() == ["next"])
        }
    }

    @Test func recordTooLargeInsideQuotesScansToRecordEnd() {
        for chunkSize in [1, 3, .max] {
            let records = parse("\"0123456789\nABC,\"\"\",x\nnext\n", chunkSize: chunkSize, maxRecordBytes: 8)
            #expect(records.map(\.malformation) == [.recordTooLarge, nil])
            #expect(records.map(\.line) == [1, 3])
            #expect(records[1].strings() == ["next"])
        }
    }

    @Test func recordTooLargeMadeOfDelimiters() {
        let records = parse(",,,,,,\nok\n", maxRecordBytes: 4)
        #expect(records.map(\.malformation) == [.recordTooLarge, nil])
    }

    @Test func tooManyFields() {
        for chunkSize in [1, .max] {
            let records = parse("a,b,c\na,b,c,d\na,b,c,d,e\nnext\n", chunkSize: chunkSize, maxFields: 3)
            #expect(records.map(\.malformation) == [nil, .tooManyFields, .tooManyFields, nil])
            #expect(records.map(\.line) == [1, 2, 3, 4])
            #expect(records[0].fieldCount == 3)
        }
    }

    @Test func streamingConsumeAndFinish() {
        var parser = CSVParser()
        var seen: [[String?]] = []
        for chunk in ["a,", "b\nc", "\r", "\nd"] {
            Array(chunk.utf8).withUnsafeBytes { raw in
                parser.consume(raw) { seen.append($0.strings()) }
            }
        }
        parser.consume(UnsafeRawBufferPointer(start: nil, count: 0)) { _ in Issue.record("no record expected") }
        #expect(seen == [["a", "b"], ["c"]])
        parser.finish { seen.append($0.strings()) }
        #expect(seen == [["a", "b"], ["c"], ["d"]])
        #expect(parser.bytesConsumed == 8)
    }

    @Test func malformationCodes() {
        let all: [CSVMalformation] = [.strayQuote, .textAfterClosingQuote, .unterminatedQuote, .recordTooLarge, .tooManyFields]
        #expect(all.map(\.code) == ["stray_quote", "text_after_closing_quote", "unterminated_quote", "record_too_large", "too_many_fields"])
        #expect(all.allSatisfy { !$0.message.isEmpty })
    }

    @Test func writerEscapes() {
        #expect(CSVWriter.escape("plain") == "plain")
        #expect(CSVWriter.escape("") == "")
        #expect(CSVWriter.escape("a,b") == "\"a,b\"")
        #expect(CSVWriter.escape("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVWriter.escape("a\r\nb") == "\"a\r\nb\"")
        #expect(CSVWriter.escape(" pad") == "\" pad\"")
        #expect(CSVWriter.line(["a", "b,c", ""]) == "a,\"b,c\",\n")
    }
}
