import CatalogCore
import Foundation
import Testing

@Suite struct JSONTextTests {
    @Test(arguments: [[], ["plain"], ["quote \" backslash \\ newline \n tab \t cr \r", "\u{1}\u{1F}", "é 😀 中"]])
    func arraysDecodeBackIdentical(_ values: [String]) throws {
        let decoded = try JSONDecoder().decode([String].self, from: Data(JSONText.array(values).utf8))
        #expect(decoded == values)
    }

    @Test func objectsAreSortedAndDecodeBack() throws {
        let values = ["b": "2", "a": "x\"y", "Colour": "\u{0}"]
        let text = JSONText.object(values)
        #expect(text.hasPrefix("{\"Colour\""))
        #expect(try JSONDecoder().decode([String: String].self, from: Data(text.utf8)) == values)
    }
}
