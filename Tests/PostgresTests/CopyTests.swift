import Foundation
import Postgres
import Testing

/// COPY moves every row, in and out, and reports the server's errors.
@Suite struct CopyTests {
    @Test func copyInOfManyRowsArrivesComplete() throws {
        try TestDatabase.withSchema { db, _ in
            try db.execute("CREATE TABLE c (id bigint, label text, x float8)")
            let n = 100_000
            var expectedSum = 0
            let copied = try db.copyIn("COPY c FROM STDIN (FORMAT csv)") { w in
                for i in 1...n {
                    expectedSum += i * 3 % 1_000_003
                    try w.write("\(i),\"row, \(i)\",\(Double(i) / 4)\n")
                }
            }
            #expect(copied == n)
            let r = try db.query("""
                SELECT count(*), sum(id * 3 % 1000003), sum(x), count(DISTINCT label),
                       md5(string_agg(label, '|' ORDER BY id))
                FROM c
                """)[0]
            #expect(try r.decode(0, as: Int.self) == n)
            #expect(try r.decode(1, as: Int.self) == expectedSum)
            #expect(try r.decode(2, as: Double.self) == Double(n * (n + 1) / 2) / 4)
            #expect(try r.decode(3, as: Int.self) == n)
            // The labels, in order, hash to the same digest as a server-side generated series.
            let reference = try db.query("""
                SELECT md5(string_agg('row, ' || g, '|' ORDER BY g)) FROM generate_series(1, \(n)) g
                """)[0].decode(0, as: String.self)
            #expect(try r.decode(4, as: String.self) == reference)
        }
    }

    @Test func textRowsEscapeSpecialCharactersAndNull() throws {
        try TestDatabase.withSchema { db, _ in
            try db.execute("CREATE TABLE c (a text, b text)")
            let tricky = "tab\there\nnew line \\ back\rslash · ü"
            try db.copyIn("COPY c FROM STDIN") { w in
                try w.writeTextRow([tricky, nil])
                try w.writeTextRow(["\\N", ""])
            }
            let rows = try db.query("SELECT a, b FROM c ORDER BY a DESC")
            #expect(try rows[0].decode(0, as: String.self) == tricky)
            #expect(rows[0].isNull(1))
            // The literal text \N is data, not NULL, when escaped.
            #expect(try rows[1].decode(0, as: String.self) == "\\N")
            #expect(try rows[1].decode(1, as: String.self) == "")
        }
    }

    @Test func rejectedDataThrowsWithSQLStateAndLeavesNothing() throws {
        try TestDatabase.withSchema { db, _ in
            try db.execute("CREATE TABLE c (id integer)")
            let e = try #require(throws: PostgresError.self) {
                try db.copyIn("COPY c FROM STDIN") { w in
                    try w.write("1\n2\nthree\n4\n")
                }
            }
            #expect(e.sqlState == "22P02")
            #expect(try db.query("SELECT count(*) FROM c")[0].decode(0, as: Int.self) == 0)
            // The connection is still usable.
            #expect(try db.query("SELECT 1")[0].decode(0, as: Int.self) == 1)
        }
    }

    @Test func throwingBodyAbortsTheCopy() throws {
        struct Stop: Error {}
        try TestDatabase.withSchema { db, _ in
            try db.execute("CREATE TABLE c (id integer)")
            #expect(throws: Stop.self) {
                try db.copyIn("COPY c FROM STDIN", chunkSize: 4) { w in
                    try w.write("1\n2\n3\n")
                    throw Stop()
                }
            }
            #expect(try db.query("SELECT count(*) FROM c")[0].decode(0, as: Int.self) == 0)
        }
    }

    @Test func copyOutStreamsEveryRow() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        var bytes: [UInt8] = []
        let n = try db.copyOut("COPY (SELECT g, 'ü' || g FROM generate_series(1, 5000) g) TO STDOUT") { chunk in
            bytes.append(contentsOf: chunk)
        }
        #expect(n == 5000)
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 5000)
        #expect(lines.last == "5000\tü5000")
        // Stopping early cancels the COPY and leaves the connection usable.
        struct Enough: Error {}
        #expect(throws: Enough.self) {
            try db.copyOut("COPY (SELECT g FROM generate_series(1, 1000000) g) TO STDOUT") { _ in throw Enough() }
        }
        #expect(try db.query("SELECT 2")[0].decode(0, as: Int.self) == 2)
    }

    @Test func copyThroughExecuteIsRefused() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        let e = try #require(throws: PostgresError.self) {
            try db.execute("COPY (SELECT 1) TO STDOUT")
        }
        #expect(e.kind == .misuse)
        #expect(try db.query("SELECT 3")[0].decode(0, as: Int.self) == 3)
    }
}
