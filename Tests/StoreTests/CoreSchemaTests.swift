import Foundation
import Postgres
import Store
import Testing

/// The project's own migrations: constraints of FEEDS.md, row versions, the shipped WHO list.
@Suite struct CoreSchemaTests {
    /// Runs `body` in a fresh schema migrated with the project's `Schema/`.
    func withCoreSchema(_ body: (Connection) throws -> Void) throws {
        try TestDatabase.withSchema { db, _ in
            let applied = try Migrator().migrate(db)
            #expect(applied.first?.name == "0001_core.sql")
            try body(db)
        }
    }

    static let sha = String(repeating: "ab", count: 32)

    /// `labourmatch_schema_version()` (0009) runs with its owner's rights: a role's temporary
    /// view named `schema_migrations` must not be what it reads (with the search_path of its
    /// creation, pg_temp came first, and the view's function ran as the owner).
    @Test func theSchemaVersionFunctionCannotBeShadowedByATemporaryView() throws {
        try withCoreSchema { db in
            let last = try FileManager.default.contentsOfDirectory(atPath: Migrator.defaultDirectory().path)
                .filter { $0.hasSuffix(".sql") }.sorted().last
            try db.execute("SET ROLE labourmatch_loader")
            defer { _ = try? db.execute("RESET ROLE") }
            #expect(try db.query("SELECT labourmatch_schema_version()")[0].decodeIfPresent(0, as: String.self) == last)
            try db.execute("CREATE TEMP VIEW schema_migrations AS SELECT '9999_spoofed.sql'::text AS name")
            #expect(try db.query("SELECT max(name) FROM schema_migrations")[0].decode(0, as: String.self) == "9999_spoofed.sql",
                    "the view is in front for the caller")
            #expect(try db.query("SELECT labourmatch_schema_version()")[0].decodeIfPresent(0, as: String.self) == last,
                    "but not for the function")
            let config = try db.query("""
                SELECT array_to_string(proconfig, ',') FROM pg_proc WHERE proname = 'labourmatch_schema_version'
                  AND pronamespace = current_schema()::regnamespace
                """)[0].decode(0, as: String.self)
            #expect(config == "search_path=pg_catalog, pg_temp", "\(config)")
        }
    }

    func insertEmployer(_ db: Connection, id: String = "E1", version: Int = 1, country: String = "DE",
                        name: String = "Klinikum") throws {
        if version == 1 { try db.execute("INSERT INTO employers (employer_id) VALUES ($1)", params: [PostgresValue(id)]) }
        try db.execute("""
            INSERT INTO employer_versions (employer_id, version, name, country, content_sha256)
            VALUES ($1, $2, $3, $4, $5)
            """, params: [PostgresValue(id), PostgresValue(version), PostgresValue(name), PostgresValue(country),
                          PostgresValue(Self.sha)])
    }

    @Test func badCountryCodeIsRejected() throws {
        try withCoreSchema { db in
            for (i, bad) in ["de", "DEU", "D1", "", "DE\n"].enumerated() {
                let e = try #require(throws: PostgresError.self) { try insertEmployer(db, id: "E-\(i)", country: bad) }
                #expect(e.isCheckViolation, "\(bad.debugDescription): \(e)")
                #expect(e.message.contains("country_code"))
            }
            try insertEmployer(db, country: "DE")
        }
    }

    @Test func badISCOCodeIsRejected() throws {
        try withCoreSchema { db in
            try insertEmployer(db)
            try db.execute("INSERT INTO vacancies (vacancy_id) VALUES ('V1')")
            func insertVacancy(isco: String) throws {
                try db.execute("""
                    INSERT INTO vacancy_versions (vacancy_id, version, employer_id, isco_code, title,
                        destination_country, openings, monthly_wage, currency, hours_per_week, content_sha256)
                    VALUES ('V1', 1, 'E1', $1, 'Nurse', 'DE', 2, $2, 'EUR', $3, $4)
                    """, params: [PostgresValue(isco), .numeric("3100.50"), .numeric("38.5"), PostgresValue(Self.sha)])
            }
            for bad in ["222", "22210", "22a1", "２２２１"] {
                let e = try #require(throws: PostgresError.self) { try insertVacancy(isco: bad) }
                #expect(e.isCheckViolation, "\(bad): \(e)")
                #expect(e.message.contains("isco_code"))
            }
            try insertVacancy(isco: "2221")
            // Decimals come back exactly as written.
            let r = try db.query("SELECT monthly_wage, hours_per_week FROM current_vacancies")[0]
            #expect(try r.decode(0, as: String.self) == "3100.50")
            #expect(try r.decode(1, as: String.self) == "38.5")
        }
    }

    @Test func rangesOfFeedsAreEnforced() throws {
        try withCoreSchema { db in
            try insertEmployer(db)
            try db.execute("INSERT INTO vacancies (vacancy_id) VALUES ('V1')")
            let insert = """
                INSERT INTO vacancy_versions (vacancy_id, version, employer_id, isco_code, title,
                    destination_country, openings, monthly_wage, currency, hours_per_week, worker_fee, content_sha256)
                VALUES ('V1', 1, 'E1', '2221', 'Nurse', 'DE', $1, $2, 'EUR', 40, $3, $4)
                """
            let sha = PostgresValue(Self.sha)
            for (openings, wage, fee) in [(0, "1", "0"), (1, "0", "0"), (1, "1", "-0.01")] {
                let e = try #require(throws: PostgresError.self) {
                    try db.execute(insert, params: [PostgresValue(openings), .numeric(wage), .numeric(fee), sha])
                }
                #expect(e.isCheckViolation)
            }
            // A version of an unknown key is a foreign key violation on the small versions tables.
            // (0004 dropped the per-row foreign keys of vacancy_versions and worker_versions: the
            // loader checks those references, see FeedLoaderTests.referencesAreCheckedAgainstTheDatabase.)
            let fk = try #require(throws: PostgresError.self) {
                try db.execute("""
                    INSERT INTO employer_versions (employer_id, version, name, country, content_sha256)
                    VALUES ('NOPE', 1, 'Nope', 'DE', $1)
                    """, params: [sha])
            }
            #expect(fk.isForeignKeyViolation)
            let usd = try #require(throws: PostgresError.self) {
                try db.execute("INSERT INTO fx_rates (currency) VALUES ('USD')")
                try db.execute("""
                    INSERT INTO fx_rate_versions (currency, version, usd_per_unit, content_sha256)
                    VALUES ('USD', 1, 1.1, $1)
                    """, params: [sha])
            }
            #expect(usd.isCheckViolation)
        }
    }

    @Test func currentAndOldVersionsAreBothReadable() throws {
        try withCoreSchema { db in
            try insertEmployer(db, name: "Klinikum Nord")
            // A changed row: the old version stops being current, the new one is added.
            try db.transaction { tx in
                try tx.execute("UPDATE employer_versions SET is_current = false WHERE employer_id = 'E1' AND is_current")
                try insertEmployer(tx, version: 2, name: "Klinikum Nord-West")
            }
            let current = try db.query("SELECT version, name FROM current_employers WHERE employer_id = 'E1'")
            #expect(current.count == 1)
            #expect(try current[0].decode(0, as: Int.self) == 2)
            #expect(try current[0].decode(1, as: String.self) == "Klinikum Nord-West")
            let old = try db.query("SELECT name FROM employer_versions WHERE employer_id = $1 AND version = $2",
                                   params: ["E1", 1])
            #expect(try old[0].decode(0, as: String.self) == "Klinikum Nord")
            // Two current versions of one key are impossible.
            let e = try #require(throws: PostgresError.self) { try insertEmployer(db, version: 3) }
            #expect(e.isUniqueViolation)
        }
    }

    @Test func shippedWHOListMatchesTheReferenceFile() throws {
        try withCoreSchema { db in
            let csv = try String(contentsOf: ProjectHome.directory().appendingPathComponent("Reference/who-safeguards-2023.csv"),
                                 encoding: .utf8)
            let expected = Self.parseCSV(csv).dropFirst().map { $0.joined(separator: "|") }
            let rows = try db.query("SELECT country, name, who_region, edition FROM current_who_list ORDER BY country COLLATE \"C\"")
            #expect(rows.count == 55)
            let actual = try rows.map { r in try (0..<3).map { try r.decode($0, as: String.self) }.joined(separator: "|") }
            #expect(actual == expected)
            #expect(try rows[0].decode(3, as: String.self) == "2023")
        }
    }

    /// A minimal RFC 4180 reader for the reference file (quoted fields hold commas).
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var chars = text.makeIterator()
        while let c = chars.next() {
            if quoted {
                if c == "\"" { quoted = false } else { field.append(c) }
            } else if c == "\"" {
                if !field.isEmpty { field.append(c) }   // "" inside a quoted field re-enters quoting
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\n" {
                row.append(field); rows.append(row); row = []; field = ""
            } else {
                field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
