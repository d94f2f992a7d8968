/// A dotted path into a JSON record or page (`data.items`, `stock.qty`, `images[*].src`): names of
/// object members, each optionally followed by `[*]` for every element of an array.
public struct JSONPath: Sendable, Equatable {
    enum Step: Sendable, Equatable {
        case member(String)
        case everyElement
    }

    let steps: [Step]
    /// As written.
    public let text: String

    public static let root = JSONPath(steps: [], text: "")

    public var isRoot: Bool { steps.isEmpty }
    var hasWildcard: Bool { steps.contains(.everyElement) }
    /// The member name the path starts with (a CSV column, for delimited feeds).
    var firstName: String? {
        if case .member(let name)? = steps.first { return name }
        return nil
    }

    public static func parse(_ text: String, parameter: String) throws -> JSONPath {
        func invalid() -> CatalogError {
            .validation("'\(text)' is not a path: use member names joined by dots, with [*] after an array (images[*].src).",
                        parameter: parameter, value: text)
        }
        guard !text.isEmpty, text.utf8.count <= 500 else { throw invalid() }
        var steps: [Step] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            var name = Substring("")
            if let bracket = rest.firstIndex(of: "[") {
                name = rest[..<bracket]
                rest = rest[bracket...]
            } else {
                name = rest
                rest = ""
            }
            guard !name.isEmpty || !rest.isEmpty else { throw invalid() }
            if !name.isEmpty { steps.append(.member(String(name))) }
            while !rest.isEmpty {
                guard rest.hasPrefix("[*]") else { throw invalid() }
                steps.append(.everyElement)
                rest = rest.dropFirst(3)
            }
        }
        return JSONPath(steps: steps, text: text)
    }

    /// The values at the path; several where it passes `[*]`, none where something is missing.
    func values(in value: JSONFeedValue) -> [JSONFeedValue] {
        var current = [value]
        for step in steps {
            var next: [JSONFeedValue] = []
            for value in current {
                switch (step, value) {
                case (.member(let name), .object(let members)):
                    if let member = members.first(where: { $0.name == name }) { next.append(member.value) }
                case (.everyElement, .array(let elements)):
                    next += elements
                default:
                    break
                }
            }
            current = next
        }
        return current
    }
}
