import CatalogCore
import Foundation
import HTTPTypes
import Hummingbird

enum JSONResponse {
    static var encoder: JSONEncoder { CatalogJSON.encoder }

    static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let data = try encoder.encode(value)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}


struct ListResponse<Item: Encodable>: Encodable {
    var count: Int
    var items: [Item]
    var nextCursor: String?

    init(items: [Item], nextCursor: String?) {
        self.count = items.count
        self.items = items
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case count, items
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
