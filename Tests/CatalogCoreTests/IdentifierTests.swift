import CatalogCore
import Foundation
import Testing

@Suite struct IdentifierTests {
    @Test func formatsWithAtLeastFiveDigits() {
        #expect(IDKind.feed.format(1) == "FD00001")
        #expect(IDKind.submissionJob.format(99_999) == "JS99999")
        #expect(IDKind.product.format(100_000) == "PR100000")
    }

    @Test func parsesOnlyWellFormedIDsOfItsKind() {
        #expect(IDKind.feed.number(of: "FD00042") == 42)
        #expect(IDKind.feed.number(of: "FD100000") == 100_000)
        for bad in ["FD0042", "JS00001", "FD00000", "FD000001", "fd00001", "FD0000A", "FD", ""] {
            #expect(IDKind.feed.number(of: bad) == nil, "\(bad)")
        }
    }
}

@Suite struct PartnerNameTests {
    @Test(arguments: ["acme-outdoor", "a1", "0-x", String(repeating: "a", count: 63)])
    func valid(_ name: String) { #expect(PartnerName.isValid(name)) }

    @Test(arguments: ["a", "-acme", "Acme", "acme_outdoor", "acme outdoor", String(repeating: "a", count: 64), "ácme", ""])
    func invalid(_ name: String) { #expect(!PartnerName.isValid(name)) }
}

@Suite struct RawFileKeyTests {
    @Test(arguments: [
        ("spring.csv", "spring.csv"),
        ("../../etc/passwd", "passwd"),
        ("C:\\feeds\\winter.csv", "winter.csv"),
        ("my feed (1).csv", "my_feed__1_.csv"),
        ("prix-été.csv", "prix-_t_.csv"),
        ("..", "upload.csv"),
        ("dir/", "dir"),
        ("", "upload.csv"),
    ])
    func sanitises(_ input: String, _ expected: String) {
        #expect(RawFileKey.sanitize(input, gzip: false) == expected)
    }

    @Test func keepsTheExtensionWhenTruncating() {
        let name = RawFileKey.sanitize(String(repeating: "x", count: 300) + ".csv.gz", gzip: true)
        #expect(name.count == 200)
        #expect(name.hasSuffix(".gz"))
        #expect(RawFileKey.sanitize(nil, gzip: true) == "upload.csv.gz")
    }

    @Test func layout() {
        #expect(RawFileKey.key(partnerName: "acme", feedID: "FD00001", fileName: "a.csv") == "raw/partners/acme/feeds/FD00001/a.csv")
    }
}

@Suite struct CursorTests {
    @Test func roundTripsAndRefusesOtherQueries() throws {
        let fingerprint = Cursor.fingerprint(["feeds", "acme", nil])
        let cursor = try #require(Cursor.encode(after: 42, fingerprint: fingerprint))
        #expect(try Cursor.decodeSequence(cursor, fingerprint: fingerprint) == 42)
        #expect(throws: CatalogError.self) { try Cursor.decodeSequence(cursor, fingerprint: Cursor.fingerprint(["feeds", "rival", nil])) }
        #expect(throws: CatalogError.self) { try Cursor.decodeSequence(String(cursor.dropLast(3)), fingerprint: fingerprint) }
        #expect(throws: CatalogError.self) { try Cursor.decodeSequence("%%%", fingerprint: fingerprint) }
        #expect(Cursor.fingerprint(["a", nil]) != Cursor.fingerprint([nil, "a"]))
    }

    /// Positions of any text (a product name as a sort key) survive the trip, and the cursors that
    /// JSONEncoder wrote before (slashes escaped) still read: an app may hold one across an upgrade.
    @Test func anyTextRoundTripsAndEarlierCursorsStillRead() throws {
        struct Earlier: Encodable { var v = 1; var q: String; var p: [String] }
        let position = ["Zelt \"Nordkap\" 2/3 Pers. – 219,00 €\u{1}\n", "/path?x=1&y=ä", "", "42"]
        let cursor = Cursor.encode(position: position, fingerprint: "f/p")
        #expect(cursor.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } && cursor.allSatisfy(\.isASCII))
        #expect(try Cursor.decode(cursor, fingerprint: "f/p") == position)
        let earlier = try JSONEncoder().encode(Earlier(q: "f/p", p: position)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        #expect(try Cursor.decode(earlier, fingerprint: "f/p") == position)
    }
}
