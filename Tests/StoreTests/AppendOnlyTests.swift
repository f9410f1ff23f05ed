import Feeds
import Foundation
import Postgres
import Store
import Testing

/// The append-only triggers of `Schema/0005_roles.sql` hold even for the owner
/// (the tests connect as a superuser, who bypasses privileges but not triggers).
@Suite struct AppendOnlyTests {
    @Test func feedRecordsRefuseChangesButVersionsMayBeRetired() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            try t.load(.vacancies, fixturePath("bad/vacancies-rows.csv"))
            let db = t.db
            expectRefused(db, "UPDATE feeds SET rows_read = rows_read", "LM001")
            expectRefused(db, "DELETE FROM feeds", "LM001")
            expectRefused(db, "UPDATE feed_rejections SET raw = ''", "LM001")
            expectRefused(db, "DELETE FROM feed_rejections", "LM001")
            expectRefused(db, "UPDATE vacancy_versions SET title = 'changed'", "LM001")
            expectRefused(db, "UPDATE vacancy_versions SET withdrawn = true", "LM001")
            expectRefused(db, "DELETE FROM vacancy_versions", "LM001")
            expectRefused(db, "DELETE FROM vacancies", "LM001")
            expectRefused(db, "UPDATE employers SET first_recorded_at = now()", "LM001")
            expectRefused(db, "UPDATE who_list_editions SET source = 'elsewhere'", "LM001")
            expectRefused(db, "DELETE FROM who_list_entries", "LM001")
            for table in ["feeds", "feed_rejections", "vacancy_versions", "employers", "run_matches", "runs"] {
                expectRefused(db, "TRUNCATE \(table) CASCADE", "LM001")
            }
            // A temporary table named `text` (pg_temp is searched first for types) no longer
            // breaks the guard (0010: its search_path is pg_catalog, pg_temp): still LM001, not
            // "cannot assign non-composite value to a record variable".
            // (A session of its own: plpgsql keeps what it resolved in a session's first call.)
            let fresh = try TestDatabase.connect()
            defer { fresh.close() }
            try fresh.execute("SET search_path TO \(t.schema)")
            try fresh.execute("CREATE TEMP TABLE text (x integer)")
            expectRefused(fresh, "UPDATE feeds SET rows_read = rows_read", "LM001")
            expectRefused(fresh, "UPDATE vacancy_versions SET title = 'changed'", "LM001")
            // Forward only: retiring a current version is what a load does; bringing it back is not.
            let key = try t.strings("SELECT vacancy_id FROM current_vacancies ORDER BY vacancy_id LIMIT 1")[0]
            struct Rollback: Error {}
            #expect(throws: Rollback.self) {
                try db.transaction { tx in
                    let retired = try tx.execute("UPDATE vacancy_versions SET is_current = false WHERE vacancy_id = $1 AND is_current",
                                                 params: [PostgresValue(key)])
                    #expect(retired == 1)
                    expectRefused(tx, "UPDATE vacancy_versions SET is_current = true WHERE NOT is_current", "LM001")
                    throw Rollback()
                }
            }
            // A finished load's record is final, but the load itself went through: counts are set.
            #expect(try t.int("SELECT min(rows_read) FROM feeds") > 0)
        }
    }
}
