import CatalogHTTP
import CatalogTestSupport
import Foundation
import Logging
import Testing

@Suite struct JSONLogHandlerTests {
    static let nasty = "quote \" backslash \\ slash / newline \n cr \r tab \t nul \u{0} bell \u{7} esc \u{1B} del \u{7F} "
        + "é ß 中文 😀 line-sep \u{2028} para-sep \u{2029} end"

    @Test func aLineIsOneJSONObjectWithTheFixedFieldsFirstAndMetadataFlattened() throws {
        let capture = LogCapture()
        var logger = capture.logger("partner-catalog")
        logger[metadataKey: "request_id"] = "req-1"
        logger.info("request", metadata: [
            "status": .stringConvertible(404), "duration_ms": .stringConvertible(12.25), "method": "GET",
            "big": .stringConvertible(Int64.max), "flag": .stringConvertible(true), "nan": .stringConvertible(Double.nan),
            "nested": .dictionary(["list": .array(["x", .stringConvertible(1)])]),
        ])
        let text = capture.text
        #expect(text.hasSuffix("}\n") && text.filter { $0 == "\n" }.count == 1, "one line: \(text)")
        #expect(text.hasPrefix(#"{"time":""#))
        #expect(text.contains(#""level":"info","logger":"partner-catalog","message":"request","#), "fixed fields in order: \(text)")
        #expect(text.contains(#""status":404"#) && text.contains(#""duration_ms":12.25"#), "numbers unquoted: \(text)")
        #expect(text.contains(#""big":9223372036854775807"#) && text.contains(#""flag":true"#))
        #expect(text.contains(#""nan":"nan""#), "a non-finite number is a string")

        let record = try #require(capture.records.first)
        #expect(record["request_id"] as? String == "req-1")
        #expect(record["method"] as? String == "GET")
        #expect(record["status"] as? Int == 404)
        #expect(record["duration_ms"] as? Double == 12.25)
        #expect(record["flag"] as? Bool == true)
        let nested = try #require(record["nested"] as? [String: Any])
        let list = try #require(nested["list"] as? [Any])
        #expect(list.first as? String == "x" && list.last as? Int == 1)
        // Metadata keys after the fixed fields, in key order.
        let keys = ["big", "duration_ms", "flag", "method", "nan", "nested", "request_id", "status"]
        let positions = keys.map { text.range(of: "\"\($0)\":")!.lowerBound }
        #expect(positions == positions.sorted())
    }

    @Test func everyStringIsEscapedAndReadsBackExactly() throws {
        let capture = LogCapture()
        capture.logger().warning("\(Self.nasty)", metadata: [Self.nasty: .string(Self.nasty), "partner": "acme \"outdoor\""])
        let text = capture.text
        #expect(text.filter { $0 == "\n" }.count == 1, "control characters never break the line")
        for escape in [#"\""#, #"\\"#, #"\n"#, #"\r"#, #"\t"#, #"\u0000"#, #"\u0007"#, #"\u001b"#, #"\u007f"#, #"\u2028"#, #"\u2029"#] {
            #expect(text.contains(escape), "\(escape) in \(text)")
        }
        #expect(text.contains("é ß 中文 😀"), "other characters stay UTF-8")
        let record = try #require(capture.records.first)
        #expect(record["message"] as? String == Self.nasty)
        #expect(record[Self.nasty] as? String == Self.nasty)
        #expect(record["partner"] as? String == "acme \"outdoor\"")
        #expect(record["level"] as? String == "warning")
    }

    @Test func timeIsUTCWithMilliseconds() throws {
        let capture = LogCapture()
        capture.logger().info("tick")
        let time = try #require(capture.records.first?["time"] as? String)
        #expect(time.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil, "\(time)")
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let parsed = try #require(formatter.date(from: time))
        #expect(abs(parsed.timeIntervalSinceNow) < 60)
    }

    @Test func levelsBelowTheConfiguredOneAreDropped() throws {
        let capture = LogCapture()
        let logger = capture.logger(level: .warning)
        logger.trace("t")
        logger.debug("d")
        logger.info("i")
        logger.notice("n")
        logger.warning("w")
        logger.error("e")
        logger.critical("c")
        #expect(capture.records.map { $0["message"] as? String } == ["w", "e", "c"])
        #expect(capture.records.map { $0["level"] as? String } == ["warning", "error", "critical"])

        let verbose = LogCapture()
        verbose.logger(level: .trace).trace("t")
        #expect(verbose.records.first?["level"] as? String == "trace")
    }

    @Test func callMetadataWinsOverTheProvidersWhichWinsOverTheLoggers() throws {
        let capture = LogCapture()
        var logger = Logger(label: "layers", factory: { label in
            JSONLogHandler(
                label: label, metadataProvider: Logger.MetadataProvider { ["from": "provider", "provided": "yes"] },
                output: JSONLogOutput { line in capture.append(line) })
        })
        logger[metadataKey: "from"] = "logger"
        logger[metadataKey: "kept"] = "logger"
        logger.info("a")
        logger.info("b", metadata: ["from": "call", "message": "shadowed"])
        let records = capture.records
        #expect(records[0]["from"] as? String == "provider" && records[0]["kept"] as? String == "logger")
        #expect(records[0]["provided"] as? String == "yes")
        #expect(records[1]["from"] as? String == "call")
        #expect(records[1]["message"] as? String == "b", "metadata never overwrites a fixed field")
        #expect(records[1]["metadata.message"] as? String == "shadowed")
    }

    @Test func linesFromManyThreadsNeverInterleave() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/log.jsonl"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        let output = JSONLogOutput.fileDescriptor(descriptor)
        let filler = String(repeating: "x\"é\n", count: 500)
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    let logger = Logger(label: "w\(writer)") { JSONLogHandler(label: $0, output: output) }
                    for index in 0..<200 {
                        logger.info("line", metadata: ["writer": .stringConvertible(writer), "index": .stringConvertible(index), "filler": .string(filler)])
                    }
                }
            }
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1600)
        var seen = Set<String>()
        for line in lines {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line.prefix(200))")
            #expect(record["filler"] as? String == filler)
            seen.insert("\(record["writer"]!)-\(record["index"]!)")
        }
        #expect(seen.count == 1600)
    }
}
