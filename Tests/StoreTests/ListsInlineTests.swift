import Foundation
import Logging
import Postgres
import Store
import Testing

/// 0004 moves the child list rows of an existing database into arrays on the version rows,
/// in ordinal order, and its domains refuse items FEEDS.md does not allow.
@Suite struct ListsInlineTests {
    /// The project's migrations up to `last` (inclusive), copied into a scratch directory.
    static func schemaDir(upTo last: Int) throws -> MigratorTests.SchemaDir {
        let all = try Migrator().migrations().filter { $0.number <= last }
        return try MigratorTests.SchemaDir(Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.sql) }))
    }

    static var quiet: Logger {
        var logger = Logger(label: "migrate")
        logger.logLevel = .warning
        return logger
    }

    @Test func migrationMovesChildRowsInOrder() throws {
        let dir = try Self.schemaDir(upTo: 3)
        try TestDatabase.withSchema { db, _ in
            try Migrator(directory: dir.url).migrate(db, logger: Self.quiet)
            // Child rows inserted out of ordinal order: the arrays must follow ordinal, not insertion.
            try db.runScript("""
                INSERT INTO employers VALUES ('E1');
                INSERT INTO vacancies VALUES ('V1'), ('V2');
                INSERT INTO vacancy_versions (vacancy_id, version, employer_id, isco_code, title, destination_country,
                    openings, monthly_wage, currency, hours_per_week, content_sha256, is_current)
                VALUES ('V1', 1, 'E1', '2221', 'Nurse', 'DE', 1, 3000, 'EUR', 40, repeat('a', 64), false),
                       ('V1', 2, 'E1', '2221', 'Nurse', 'DE', 1, 3100, 'EUR', 40, repeat('b', 64), true),
                       ('V2', 1, 'E1', '7212', 'Welder', 'DE', 2, 2500, 'EUR', 40, repeat('c', 64), true);
                INSERT INTO vacancy_required_skills VALUES
                    ('V1', 1, 2, 'wound-care', 2, false), ('V1', 1, 1, 'patient-care', 3, true),
                    ('V1', 2, 1, 'iv-therapy', 4, true);
                INSERT INTO vacancy_required_languages VALUES ('V1', 2, 2, 'en', 'B2'), ('V1', 2, 1, 'de', 'B1');
                INSERT INTO vacancy_contract_languages VALUES ('V1', 2, 2, 'en'), ('V1', 2, 1, 'de');
                INSERT INTO workers VALUES ('W1');
                INSERT INTO worker_versions (worker_id, version, origin_country, birth_year, education_level, consent,
                    content_sha256)
                VALUES ('W1', 1, 'PH', 1990, 5, true, repeat('d', 64));
                INSERT INTO worker_occupations VALUES ('W1', 1, 2, '3221', 2.50), ('W1', 1, 1, '2221', 5.0);
                INSERT INTO worker_skills VALUES ('W1', 1, 1, 'patient-care', 3);
                INSERT INTO worker_languages VALUES ('W1', 1, 1, 'tl', 'C2'), ('W1', 1, 2, 'de', 'A2');
                INSERT INTO worker_preferred_destinations VALUES ('W1', 1, 2, 'CA'), ('W1', 1, 1, 'DE'), ('W1', 1, 3, 'GB');
                """)
            try dir.write("0004_lists_inline.sql", try Migrator().migrations().first { $0.number == 4 }!.sql)
            let applied = try Migrator(directory: dir.url).migrate(db, logger: Self.quiet)
            #expect(applied.map(\.number) == [4])

            func items(_ sql: String) throws -> String { try db.query(sql)[0].decode(0, as: String.self) }
            let v = "FROM vacancy_versions WHERE vacancy_id = "
            #expect(try items("SELECT required_skills::text \(v)'V1' AND version = 1") == "{patient-care:3:E,wound-care:2:O}")
            #expect(try items("SELECT required_skills::text \(v)'V1' AND version = 2") == "{iv-therapy:4:E}")
            #expect(try items("SELECT required_languages::text \(v)'V1' AND version = 2") == "{de:B1,en:B2}")
            #expect(try items("SELECT contract_languages::text \(v)'V1' AND version = 2") == "{de,en}")
            // A version without child rows gets empty lists, not NULL.
            #expect(try items("SELECT required_skills::text || contract_languages::text \(v)'V2'") == "{}{}")
            let w = "FROM worker_versions WHERE worker_id = 'W1'"
            // Years in their shortest text, as the loader writes them.
            #expect(try items("SELECT occupations::text \(w)") == "{2221:5,3221:2.5}")
            #expect(try items("SELECT skills::text \(w)") == "{patient-care:3}")
            #expect(try items("SELECT languages::text \(w)") == "{tl:C2,de:A2}")
            #expect(try items("SELECT preferred_destinations::text \(w)") == "{DE,CA,GB}")
            // The child tables are gone, and the views show the lists.
            #expect(try db.query("SELECT to_regclass('vacancy_required_skills')")[0].isNull(0))
            #expect(try db.query("SELECT to_regclass('worker_occupations')")[0].isNull(0))
            #expect(try items("SELECT required_skills::text FROM current_vacancies WHERE vacancy_id = 'V1'") == "{iv-therapy:4:E}")
        }
    }

    @Test func domainsRefuseBadItems() throws {
        try TestDatabase.withSchema { db, _ in
            try Migrator().migrate(db, logger: Self.quiet)
            let good = ["'{a.b-c_1:1:E,x:4:O}'::required_skill_item[]", "'{en:A1,de:C2}'::language_level_item[]",
                        "'{x:1,y9:4}'::worker_skill_item[]", "'{2221:0,3221:12.25}'::occupation_item[]",
                        "'{DE,CA}'::country_code[]", "'{en}'::language_code[]"]
            for literal in good {
                #expect(throws: Never.self, "\(literal)") { try db.execute("SELECT \(literal)") }
            }
            let bad = ["'{x:5:E}'::required_skill_item[]", "'{x:1:e}'::required_skill_item[]",
                       "'{X:1:E}'::required_skill_item[]", "'{x:1}'::required_skill_item[]",
                       "'{\(String(repeating: "a", count: 65)):1:E}'::required_skill_item[]",
                       "'{en:B3}'::language_level_item[]", "'{EN:B1}'::language_level_item[]",
                       "'{x:0}'::worker_skill_item[]", "'{222:1}'::occupation_item[]",
                       "'{2221:1.50}'::occupation_item[]", "'{2221:-1}'::occupation_item[]",
                       "'{2221:01}'::occupation_item[]", "'{de}'::country_code[]"]
            for literal in bad {
                #expect(throws: PostgresError.self, "\(literal)") { try db.execute("SELECT \(literal)") }
            }
        }
    }
}
