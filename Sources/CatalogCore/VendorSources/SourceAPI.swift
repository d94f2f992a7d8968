/// How a paginated JSON API is walked (§Sources `api`): where each page holds its records, and how
/// the next page is found.
public struct SourceAPI: Sendable, Equatable {
    public enum Next: Sendable, Equatable {
        /// RFC 8288 `Link: <…>; rel="next"`.
        case linkHeader
        /// The next page's URL at a path of the body.
        case bodyURL(path: JSONPath)
        /// A cursor at a path of the body, sent back as the query parameter `param`.
        case cursor(path: JSONPath, param: String)
        /// Page numbers from 1 in `param`, `size` records a page in `sizeParam`; stops at an empty or short page.
        case page(param: String, sizeParam: String?, size: Int)
        /// One page only.
        case none
    }

    public static let defaultPageLimit = 10_000

    public var records: JSONPath
    public var next: Next
    public var pageLimit: Int

    public init(records: JSONPath, next: Next, pageLimit: Int = defaultPageLimit) {
        self.records = records
        self.next = next
        self.pageLimit = pageLimit
    }

    public static func parse(_ value: JSONValue) throws -> SourceAPI? {
        guard case .object(let fields) = value else {
            if value == .null { return nil }
            throw CatalogError.validation("api must be an object or null.", parameter: "api")
        }
        let known: Set = ["records", "next", "page_limit"]
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw CatalogError.validation("api has an unknown field '\(unknown)'.", parameter: "api.\(unknown)")
        }
        var records = JSONPath.root
        if let given = fields["records"] {
            guard case .string(let text) = given else { throw CatalogError.validation("api.records must be a dotted path.", parameter: "api.records") }
            // Empty: the page itself is the array of records.
            records = text.isEmpty ? .root : try JSONPath.parse(text, parameter: "api.records")
            if records.hasWildcard {
                throw CatalogError.validation("api.records names one array by member names, without [*].", parameter: "api.records", value: text)
            }
        }
        var pageLimit = defaultPageLimit
        if let given = fields["page_limit"] {
            guard case .int(let limit) = given, limit >= 1, limit <= 1_000_000 else {
                throw CatalogError.validation("api.page_limit must be a whole number from 1 to 1000000.", parameter: "api.page_limit")
            }
            pageLimit = Int(limit)
        }
        return SourceAPI(records: records, next: try parseNext(fields["next"] ?? .null), pageLimit: pageLimit)
    }

    static func parseNext(_ value: JSONValue) throws -> Next {
        guard case .object(let fields) = value else {
            if value == .null { return .none }
            throw CatalogError.validation("api.next must be an object.", parameter: "api.next")
        }
        func text(_ key: String, default fallback: String? = nil) throws -> String {
            if case .string(let value)? = fields[key], !value.isEmpty, value.utf8.count <= 200 { return value }
            if fields[key] == nil, let fallback { return fallback }
            throw CatalogError.validation("api.next.\(key) is required: a text.", parameter: "api.next.\(key)")
        }
        switch fields["type"] {
        case .string("link_header")?: return .linkHeader
        case .string("body_url")?: return .bodyURL(path: try plainPath(try text("path")))
        case .string("cursor")?:
            return .cursor(path: try plainPath(try text("path")), param: try text("param", default: "cursor"))
        case .string("page")?:
            var size = 100
            if let given = fields["size"] {
                guard case .int(let value) = given, value >= 1, value <= 100_000 else {
                    throw CatalogError.validation("api.next.size must be a whole number from 1 to 100000.", parameter: "api.next.size")
                }
                size = Int(value)
            }
            let sizeParam: String? = if case .string(let name)? = fields["size_param"], !name.isEmpty { name } else { nil }
            return .page(param: try text("param", default: "page"), sizeParam: sizeParam, size: size)
        default:
            throw CatalogError.validation("api.next.type must be link_header, body_url, cursor or page.", parameter: "api.next.type")
        }
    }

    static func plainPath(_ text: String) throws -> JSONPath {
        let path = try JSONPath.parse(text, parameter: "api.next.path")
        if path.hasWildcard {
            throw CatalogError.validation("api.next.path names one value by member names, without [*].", parameter: "api.next.path", value: text)
        }
        return path
    }

    public var json: String {
        var writer = JSONObjectWriter()
        var next = JSONObjectWriter()
        switch self.next {
        case .linkHeader: next.string("type", "link_header")
        case .bodyURL(let path):
            next.string("type", "body_url")
            next.string("path", path.text)
        case .cursor(let path, let param):
            next.string("type", "cursor")
            next.string("path", path.text)
            next.string("param", param)
        case .page(let param, let sizeParam, let size):
            next.string("type", "page")
            next.string("param", param)
            if let sizeParam { next.string("size_param", sizeParam) }
            next.integer("size", Int64(size))
        case .none: break
        }
        // One page only: no `next` at all (the OpenAPI document has no null for it).
        if case .none = self.next {} else { writer.raw("next", next.json) }
        writer.integer("page_limit", Int64(pageLimit))
        if !records.isRoot { writer.string("records", records.text) }
        return writer.json
    }
}
