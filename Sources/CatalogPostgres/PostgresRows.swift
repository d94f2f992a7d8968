import Foundation
import PostgresNIO

extension PostgresRowSequence {
    /// The first column of the first row, if any row came back.
    func one<T: PostgresDecodable>(_ type: T.Type) async throws -> T? {
        for try await row in self {
            return try row.decode(T.self)
        }
        return nil
    }

    func rows() async throws -> [PostgresRandomAccessRow] {
        var result: [PostgresRandomAccessRow] = []
        for try await row in self { result.append(row.makeRandomAccess()) }
        return result
    }

    func first() async throws -> PostgresRandomAccessRow? {
        for try await row in self { return row.makeRandomAccess() }
        return nil
    }

    func drain() async throws {
        for try await _ in self {}
    }
}

extension PostgresRandomAccessRow {
    func value<T: PostgresDecodable>(_ column: String, _ type: T.Type = T.self) throws -> T {
        try self[column].decode(T.self)
    }

    func optional<T: PostgresDecodable>(_ column: String, _ type: T.Type = T.self) throws -> T? where T._DecodableType == T {
        try self[column].decode(T?.self)
    }
}
