import Foundation
import Testing

@testable import CatalogCore

/// §Sources `schedule`: intervals, and daily times in IANA zones across daylight-saving changes.
@Suite struct SourceScheduleTests {
    static func date(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    static func schedule(_ json: String) throws -> SourceSchedule? {
        try SourceSchedule.parse(try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)))
    }

    @Test func everyCountsFromTheLastTime() throws {
        let schedule = try #require(try Self.schedule(#"{"every": "15m"}"#))
        #expect(schedule.next(after: Self.date("2026-12-07T10:00:00Z")) == Self.date("2026-12-07T10:15:00Z"))
        #expect(try Self.schedule(#"{"every": "6h"}"#)?.next(after: Self.date("2026-12-07T10:00:00Z")) == Self.date("2026-12-07T16:00:00Z"))
        #expect(try Self.schedule(#"{"every": "1d"}"#)?.next(after: Self.date("2026-12-07T10:00:00Z")) == Self.date("2026-12-08T10:00:00Z"))
        #expect(try Self.schedule("null") == nil)
    }

    @Test func dailyAtFollowsTheZonesClockAcrossTheSpringChange() throws {
        let schedule = try #require(try Self.schedule(#"{"daily_at": "02:30", "timezone": "Europe/Berlin"}"#))
        // Winter: Berlin is UTC+1.
        #expect(schedule.next(after: Self.date("2026-03-27T12:00:00Z")) == Self.date("2026-03-28T01:30:00Z"))
        // 29 March 2026: clocks jump from 02:00 to 03:00, so 02:30 does not exist; the fetch runs at 03:00 local (01:00Z).
        #expect(schedule.next(after: Self.date("2026-03-28T12:00:00Z")) == Self.date("2026-03-29T01:00:00Z"))
        // Summer: UTC+2.
        #expect(schedule.next(after: Self.date("2026-03-29T12:00:00Z")) == Self.date("2026-03-30T00:30:00Z"))
    }

    @Test func dailyAtRunsOnceOnTheAutumnChange() throws {
        let schedule = try #require(try Self.schedule(#"{"daily_at": "02:30", "timezone": "Europe/Berlin"}"#))
        // 25 October 2026: 02:30 happens twice (summer, then winter time); the first one counts, once.
        let first = schedule.next(after: Self.date("2026-10-24T12:00:00Z"))
        #expect(first == Self.date("2026-10-25T00:30:00Z"))
        #expect(schedule.next(after: first) == Self.date("2026-10-26T01:30:00Z"))
    }

    @Test func dailyAtInNewYork() throws {
        let schedule = try #require(try Self.schedule(#"{"daily_at": "06:00", "timezone": "America/New_York"}"#))
        #expect(schedule.next(after: Self.date("2026-12-07T12:00:00Z")) == Self.date("2026-12-08T11:00:00Z"))
        #expect(schedule.json == #"{"daily_at":"06:00","timezone":"America/New_York"}"#)
    }

    @Test(arguments: [
        #"{"every": "15"}"#, #"{"every": "0m"}"#, #"{"every": "30s"}"#, #"{"every": 15}"#, #"{"daily_at": "25:00"}"#,
        #"{"daily_at": "2:00"}"#, #"{"daily_at": "02:00", "timezone": "Mars/Olympus"}"#, #"{"daily_at": "02:00", "zone": "UTC"}"#,
        #"{"cron": "* * * * *"}"#, #""daily""#,
    ])
    func badSchedulesAreRefused(_ json: String) throws {
        #expect(throws: CatalogError.self) { _ = try Self.schedule(json) }
    }
}

/// `Link` headers and the other ways an API names its next page.
@Suite struct SourcePagingTests {
    @Test func linkHeaderNextIsFoundAmongOthers() {
        let header = #"<https://api.example.com/p?page=1>; rel="prev", <https://api.example.com/p?page=3&x=a,b>; rel="next", <https://api.example.com/p?page=9>; rel=last"#
        #expect(LinkHeader.next(in: header, base: "https://api.example.com/p?page=2") == "https://api.example.com/p?page=3&x=a,b")
        #expect(LinkHeader.next(in: #"</p?page=4>; rel="next""#, base: "https://api.example.com/p?page=3") == "https://api.example.com/p?page=4")
        #expect(LinkHeader.next(in: #"<https://a.example/p?page=1>; rel="prev""#, base: "https://a.example/p") == nil)
    }

    @Test func queryParametersAreSetOrReplaced() {
        #expect(SourceFetcher.withQuery("http://v.example/items?page=1&per_page=3", [("page", "2")]) == "http://v.example/items?per_page=3&page=2")
        #expect(SourceFetcher.withQuery("http://v.example/items", [("cursor", "c 2")]) == "http://v.example/items?cursor=c%202")
    }

    @Test func apiSettingsParseAndRoundTrip() throws {
        let json = #"{"records": "data.items", "next": {"type": "page", "param": "page", "size_param": "per_page", "size": 3}, "page_limit": 50}"#
        let api = try #require(try SourceAPI.parse(try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))))
        #expect(api.records.text == "data.items" && api.pageLimit == 50)
        #expect(api.next == .page(param: "page", sizeParam: "per_page", size: 3))
        let again = try SourceAPI.parse(try JSONDecoder().decode(JSONValue.self, from: Data(api.json.utf8)))
        #expect(again == api)
        #expect(throws: CatalogError.self) { _ = try SourceAPI.parse(.object(["next": .object(["type": .string("scroll")])])) }
        // One page only, and page numbers without a size parameter: nothing null where the OpenAPI document has a string or object.
        let single = try #require(try SourceAPI.parse(.object(["records": .string("items")])))
        #expect(single.json == #"{"page_limit":10000,"records":"items"}"#)
        let pages = try #require(try SourceAPI.parse(.object(["next": .object(["type": .string("page")])])))
        #expect(pages.json.contains(#""next":{"type":"page","param":"page","size":100}"#), "\(pages.json)")
        #expect(try SourceAPI.parse(try JSONDecoder().decode(JSONValue.self, from: Data(pages.json.utf8))) == pages,
                "a page that is the array itself reads back the same")
    }
}

/// API pages read without a tree: the records array's elements as written, one a line.
@Suite struct JSONPageScannerTests {
    static func lines(_ page: String, _ path: String) throws -> [String]? {
        let scanner = JSONPageScanner(bytes: Array(page.utf8))
        guard let range = try scanner.find(try JSONPath.parse(path, parameter: "p")), let elements = try scanner.elements(of: range) else { return nil }
        var out: [UInt8] = []
        for element in elements { scanner.line(element, into: &out) }
        return String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func recordsKeepTheirBytesAndBecomeOneLineEach() throws {
        let page = """
            {"meta": {"next": "x"}, "data": {"count": 2, "items": [
              {"sku": "A", "price": 19.990, "name": "Tab\\tbed \\"quoted\\" ]}"},
              {"sku": "B",
               "tags": ["a", {"b": [1, 2]}]}
            ]}}
            """
        let lines = try #require(try Self.lines(page, "data.items"))
        #expect(lines == [#"{"sku": "A", "price": 19.990, "name": "Tab\tbed \"quoted\" ]}"}"#, #"{"sku": "B",    "tags": ["a", {"b": [1, 2]}]}"#])
    }

    @Test func escapedKeysMissingMembersAndMalformedPages() throws {
        #expect(try Self.lines(#"{"d\u0061ta": [{"a": 1}]}"#, "data") == [#"{"a": 1}"#])
        #expect(try Self.lines(#"{"data": {"items": 3}}"#, "data.items") == nil, "not an array")
        #expect(try Self.lines(#"{"data": []}"#, "data") == [])
        let scanner = JSONPageScanner(bytes: Array(#"{"other": 1}"#.utf8))
        #expect(try scanner.find(try JSONPath.parse("data.items", parameter: "p")) == nil)
        for broken in [#"{"data": [1, 2"#, #"{"data" [1]}"#, #"{"data": [1] "x": 2}"#, "", #"{"a": "unterminated}"#, #"[1] trailing"#] {
            #expect(throws: JSONPageScanner.Malformed.self, "\(broken)") {
                _ = try JSONPageScanner(bytes: Array(broken.utf8)).find(try JSONPath.parse("data", parameter: "p"))
            }
        }
    }
}
