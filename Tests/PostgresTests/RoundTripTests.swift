import Foundation
import Postgres
import Testing

/// Values go in as bind parameters and come back decoded, unchanged.
@Suite struct RoundTripTests {
    @Test func everyDecodedTypeRoundTrips() throws {
        try TestDatabase.withSchema { db, _ in
            try db.execute("""
                CREATE TABLE vals (t text, i8 bigint, i4 integer, f8 float8, n numeric, b boolean,
                                   d date, ts timestamptz)
                """)
            let when = Date(timeIntervalSince1970: 1_700_000_000.123456)
            let day = PostgresDate(year: 2024, month: 2, day: 29)!
            try db.execute("INSERT INTO vals VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", params: [
                "Ärzte · 医生 · 🩺", PostgresValue(Int.min), PostgresValue(Int32.max), PostgresValue(0.1 + 0.2),
                .numeric("12345678901234.567890"), true, PostgresValue(day), PostgresValue(when),
            ])
            try db.execute("INSERT INTO vals VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                           params: [nil, nil, nil, nil, nil, nil, nil, nil])
            let rows = try db.query("SELECT * FROM vals ORDER BY t NULLS LAST")
            #expect(rows.count == 2)
            let r = rows[0]
            #expect(try r.decode(0, as: String.self) == "Ärzte · 医生 · 🩺")
            #expect(try r.decode(1, as: Int.self) == Int.min)
            #expect(try r.decode("i8", as: Int64.self) == Int64.min)
            #expect(try r.decode(2, as: Int32.self) == Int32.max)
            #expect(try r.decode(3, as: Double.self) == 0.1 + 0.2)
            // numeric comes back as its exact text, trailing zeros and all.
            #expect(try r.decode(4, as: String.self) == "12345678901234.567890")
            #expect(try r.decode(5, as: Bool.self) == true)
            #expect(try r.decode(6, as: PostgresDate.self) == day)
            let back = try r.decode(7, as: Date.self)
            #expect(abs(back.timeIntervalSince(when)) < 0.000_001)
            #expect(try r.decode(7, as: String.self) == "2023-11-14 22:13:20.123456+00")
            let n = rows[1]
            for column in 0..<8 {
                #expect(n.isNull(column))
                #expect(try n.decodeIfPresent(column, as: String.self) == nil)
            }
            #expect(throws: PostgresError.self) { try n.decode(1, as: Int.self) }
        }
    }

    /// A `text[]` parameter holds each string as it is: quotes, backslashes, commas, braces,
    /// spaces, the word NULL and the empty string are elements, not syntax.
    @Test func textArrayParametersKeepEveryElement() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        let values = ["plain", "a,b", "{x}", "say \"hi\"", "back\\slash", " spaced ", "NULL", "", "Ärzte 🩺", "\\\""]
        let rows = try db.query("SELECT e, n FROM unnest($1::text[]) WITH ORDINALITY AS u(e, n) ORDER BY n",
                                params: [.textArray(values)])
        #expect(try rows.map { try $0.decode(0, as: String.self) } == values)
        #expect(rows.allSatisfy { !$0.isNull(0) })
        #expect(try db.query("SELECT cardinality($1::text[])", params: [.textArray([])])[0].decode(0, as: Int.self) == 0)
        #expect(try db.query("SELECT 'a,b' = ANY($1)", params: [.textArray(["a", "b"])])[0].decode(0, as: Bool.self) == false)
    }

    @Test func timestampsWithOffsetsAndSpecialValuesDecode() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        let r = try db.query("""
            SELECT '2024-03-01 10:00:00+05:30'::timestamptz, 'infinity'::timestamptz,
                   '1969-12-31 23:59:59.5'::timestamp, 'NaN'::float8, '-Infinity'::float8, false
            """)[0]
        // 10:00 at +05:30 is 04:30 UTC.
        let expected = Double(CivilDays.from(2024, 3, 1)) * 86_400 + 4.5 * 3600
        #expect(try r.decode(0, as: Date.self).timeIntervalSince1970 == expected)
        #expect(try r.decode(1, as: Date.self) == .distantFuture)
        #expect(try r.decode(2, as: Date.self).timeIntervalSince1970 == -0.5)
        #expect(try r.decode(3, as: Double.self).isNaN)
        #expect(try r.decode(4, as: Double.self) == -.infinity)
        #expect(try r.decode(5, as: Bool.self) == false)
    }

    @Test func undecodableTextIsADecodingError() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        let r = try db.query("SELECT 'twelve'::text AS n, 99999999999::bigint AS big")[0]
        let e = try #require(throws: PostgresError.self) { try r.decode("n", as: Int.self) }
        #expect(e.kind == .decoding)
        #expect(e.description.contains("'n'"))
        // Too large for Int32: overflow is an error, not a wrapped value.
        #expect(throws: PostgresError.self) { try r.decode("big", as: Int32.self) }
    }

    @Test func hostileTextIsStoredVerbatim() throws {
        try TestDatabase.withSchema { db, _ in
            try db.execute("CREATE TABLE employers (employer_id text PRIMARY KEY, name text NOT NULL)")
            let hostile = "'); DROP TABLE employers;--"
            try db.execute("INSERT INTO employers VALUES ($1, $2)", params: ["E1", PostgresValue(hostile)])
            let rows = try db.query("SELECT name FROM employers WHERE name = $1", params: [PostgresValue(hostile)])
            #expect(try rows[0].decode(0, as: String.self) == hostile)
            #expect(try db.query("SELECT count(*) FROM employers")[0].decode(0, as: Int.self) == 1)
        }
    }

    @Test func nulByteInParameterIsRefusedClearly() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        let e = try #require(throws: PostgresError.self) {
            try db.query("SELECT $1::text", params: [PostgresValue("a\u{0}b")])
        }
        #expect(e.kind == .misuse)
        #expect(e.message.contains("NUL"))
    }
}

/// Day counts computed independently of the library, for expected values.
enum CivilDays {
    static func from(_ y: Int, _ m: Int, _ d: Int) -> Int {
        var c = DateComponents()
        c.year = y; c.month = m; c.day = d
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        return Int(cal.date(from: c)!.timeIntervalSince1970 / 86_400)
    }
}
