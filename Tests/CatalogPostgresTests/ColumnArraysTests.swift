import CatalogCore
@testable import CatalogPostgres
import CatalogTestSupport
import Foundation
import PostgresNIO
import Testing

/// Rows bound as binary arrays come back from PostgreSQL exactly as written: text with every
/// character COPY had to escape, NULLs of each kind, negative and large integers, booleans and
/// timestamps to the microsecond.
@Suite struct ColumnArraysTests {
    struct Row: Equatable {
        var text: String?
        var number: Int64?
        var flag: Bool
        var at: Date
    }

    @Test func rowsRoundTripThroughUnnest() async throws {
        let (store, _) = try await TestPostgres.freshStore()
        let rows = [
            Row(text: "plain é 🎒", number: -42, flag: true, at: UTCMicroseconds.date(1_790_000_000_123_456)),
            Row(text: nil, number: nil, flag: false, at: UTCMicroseconds.date(-1)),
            Row(text: "tab\there\nnew\rline \\ back \\N", number: .max, flag: true, at: UTCMicroseconds.date(951_782_400_000_000)),
            Row(text: "", number: .min, flag: false, at: UTCMicroseconds.date(0)),
        ]
        var arrays = ColumnArrays(into: "column_arrays_probe", [
            ("position", .bigint), ("text_value", .text), ("number", .bigint), ("flag", .boolean), ("at", .timestamptz),
        ])
        for (position, row) in rows.enumerated() {
            arrays.field(position)
            arrays.field(row.text)
            arrays.field(row.number)
            arrays.field(row.flag)
            arrays.field(row.at)
            arrays.endRow()
        }
        try await store.withConnection { connection in
            try await connection.query("""
                CREATE TABLE column_arrays_probe (position BIGINT, text_value TEXT, number BIGINT, flag BOOLEAN, at TIMESTAMPTZ)
                """, logger: store.logger).drain()
        }
        try await store.insert(arrays)
        let read = try await store.withConnection { connection in
            var read: [Row] = []
            let result = try await connection.query("""
                SELECT text_value, number, flag, (extract(epoch FROM at) * 1000000)::bigint
                FROM column_arrays_probe ORDER BY position
                """, logger: store.logger)
            for try await (text, number, flag, micros) in result.decode((String?, Int64?, Bool, Int64).self) {
                read.append(Row(text: text, number: number, flag: flag, at: UTCMicroseconds.date(micros)))
            }
            return read
        }
        #expect(read == rows)
    }

    @Test func anEmptyBatchInsertsNothing() async throws {
        let (store, _) = try await TestPostgres.freshStore()
        try await store.insert(ColumnArrays(into: "no_such_table", [("a", .text)]))
    }
}
