import Matching
import Postgres

extension RunResults {
    /// Writes the rows of run `runId` by COPY (and `summary.json` by INSERT); returns the rows written.
    ///
    /// Call it inside the caller's transaction, which decides when the results
    /// become visible: all of them at once, or none.
    @discardableResult
    public func write(_ db: Connection, runId: Int64) throws -> Int {
        let run = String(runId)
        var written = 0
        written += try db.copyIn("""
            COPY run_matches (run_id, worker_id, vacancy_id, fit_micro, worker_rank,
                              occupation, skills, experience, languages, education) FROM STDIN
            """) { w in
            for m in matches {
                try w.writeTextRow([run, m.workerId, m.vacancyId, String(m.fitMicro), String(m.workerRank)] + m.criteria)
            }
        }
        written += try db.copyIn("""
            COPY run_top_candidates (run_id, worker_id, position, vacancy_id, fit_micro, worker_rank, matched,
                                     occupation, skills, experience, languages, education) FROM STDIN
            """) { w in
            for t in topCandidates {
                let p = t.pair
                try w.writeTextRow([run, p.workerId, String(t.position), p.vacancyId, String(p.fitMicro),
                                    String(p.workerRank), t.matched ? "t" : "f"] + p.criteria)
            }
        }
        written += try db.copyIn("""
            COPY run_participants (run_id, subject, id, eligible, candidates, matched) FROM STDIN
            """) { w in
            for p in participants {
                try w.writeTextRow([run, p.subject, p.id, p.eligible ? "t" : "f", String(p.candidates), String(p.matched)])
            }
        }
        written += try db.copyIn("COPY run_exclusions (run_id, subject, worker_id, vacancy_id, reason) FROM STDIN") { w in
            for e in exclusions { try w.writeTextRow([run, e.subject.rawValue, e.workerId, e.vacancyId, e.reason]) }
        }
        written += try db.execute("INSERT INTO run_summaries (run_id, summary_json) VALUES ($1, $2)",
                                  params: [PostgresValue(runId), PostgresValue(summaryJSON)])
        return written
    }

    /// The stored results of run `runId`, or nil when its results were never persisted.
    public static func read(_ db: Connection, runId: Int64) throws -> RunResults? {
        let id = [PostgresValue(runId)]
        guard let summary = try summaryJSON(db, runId: runId) else { return nil }
        return RunResults(matches: try pairs(db, "run_matches", where: "run_id = $1", id),
                          topCandidates: try topCandidates(db, where: "run_id = $1", id),
                          participants: try participants(db, where: "run_id = $1", id),
                          exclusions: try exclusions(db, where: "run_id = $1", id), summaryJSON: summary)
    }

    /// The stored results of run `runId` that bear on `worker`, or nil when the run's results
    /// were never persisted: the worker's match, stored candidates, participant row and
    /// exclusions (its own and its pairs'), and for the vacancies of its match, of its stored
    /// candidates, of its pairs refused by a pair rule and `vacancies`: their participant rows,
    /// exclusions and matches. Also returns
    /// those vacancies' ids (sorted), whose versions the caller reads. What `explain` reads, by
    /// the indexes, however large the run (the whole `read` of a run of 200,000 workers takes
    /// seconds and gigabytes).
    public static func read(_ db: Connection, runId: Int64, worker: String,
                            vacancies: [String]) throws -> (results: RunResults, vacancies: [String])? {
        guard let summary = try summaryJSON(db, runId: runId) else { return nil }
        let own = [PostgresValue(runId), PostgresValue(worker)]
        let top = try topCandidates(db, where: "run_id = $1 AND worker_id = $2", own)
        let match = try pairs(db, "run_matches", where: "run_id = $1 AND worker_id = $2", own)
        let refused: [String] = try db.query("""
            SELECT DISTINCT vacancy_id FROM run_exclusions WHERE run_id = $1 AND subject = 'pair' AND worker_id = $2
            """, params: own).map { try $0.decode(0) }
        let named = Set(vacancies + match.map(\.vacancyId) + top.map(\.pair.vacancyId) + refused).sorted()
        let both = own + [.textArray(named)]
        let results = RunResults(
            matches: try pairs(db, "run_matches", where: "run_id = $1 AND (worker_id = $2 OR vacancy_id = ANY($3))", both),
            topCandidates: top,
            participants: try participants(db, where: """
                run_id = $1 AND ((subject = 'worker' AND id = $2) OR (subject = 'vacancy' AND id = ANY($3)))
                """, both),
            exclusions: try exclusions(db, where: """
                run_id = $1 AND ((subject IN ('worker', 'pair') AND worker_id = $2)
                                 OR (subject = 'vacancy' AND worker_id IS NULL AND vacancy_id = ANY($3)))
                """, both),
            summaryJSON: summary)
        return (results, named)
    }

    /// The stored results of run `runId` that bear on `vacancy` alone, or nil when the run's
    /// results were never persisted: its participant row, its matches, its own exclusions and
    /// those of its pairs (`explain --vacancy` without `--worker`). Its matches are read by
    /// their index; its pairs' exclusions by the run's pair rows (no index leads to a vacancy's).
    public static func read(_ db: Connection, runId: Int64, vacancy: String) throws -> RunResults? {
        guard let summary = try summaryJSON(db, runId: runId) else { return nil }
        let own = [PostgresValue(runId), PostgresValue(vacancy)]
        return RunResults(
            matches: try pairs(db, "run_matches", where: "run_id = $1 AND vacancy_id = $2", own),
            topCandidates: [],
            participants: try participants(db, where: "run_id = $1 AND subject = 'vacancy' AND id = $2", own),
            exclusions: try exclusions(db, where: "run_id = $1 AND subject IN ('vacancy', 'pair') AND vacancy_id = $2", own),
            summaryJSON: summary)
    }

    /// The participant rows of every vacancy that took part in run `runId` (what `explain` reads
    /// to say why a worker has no candidate; no matches or exclusions).
    public static func vacancyParticipants(_ db: Connection, runId: Int64) throws -> [Participant] {
        try participants(db, where: "run_id = $1 AND subject = 'vacancy'", [PostgresValue(runId)])
    }

    private static func summaryJSON(_ db: Connection, runId: Int64) throws -> String? {
        try db.query("SELECT summary_json FROM run_summaries WHERE run_id = $1", params: [PostgresValue(runId)])
            .first?.decode(0)
    }

    private static func pair(_ r: PostgresRow, from c: Int) throws -> Pair {
        Pair(workerId: try r.decode(c), vacancyId: try r.decode(c + 1), fitMicro: try r.decode(c + 2),
             workerRank: try r.decode(c + 3), criteria: try (c + 4..<c + 9).map { try r.decode($0) })
    }

    private static func pairs(_ db: Connection, _ table: String, where filter: String,
                              _ params: [PostgresValue]) throws -> [Pair] {
        try db.query("""
            SELECT worker_id, vacancy_id, fit_micro, worker_rank, occupation, skills, experience, languages, education
            FROM \(table) WHERE \(filter)
            """, params: params).map { try pair($0, from: 0) }
    }

    private static func topCandidates(_ db: Connection, where filter: String,
                                      _ params: [PostgresValue]) throws -> [TopCandidate] {
        try db.query("""
            SELECT position, matched, worker_id, vacancy_id, fit_micro, worker_rank,
                   occupation, skills, experience, languages, education
            FROM run_top_candidates WHERE \(filter)
            """, params: params).map { r in
            TopCandidate(position: try r.decode(0), pair: try pair(r, from: 2), matched: try r.decode(1))
        }
    }

    private static func participants(_ db: Connection, where filter: String,
                                     _ params: [PostgresValue]) throws -> [Participant] {
        try db.query("""
            SELECT subject, id, eligible, candidates, matched FROM run_participants WHERE \(filter)
            """, params: params).map { r in
            Participant(subject: try r.decode(0), id: try r.decode(1), eligible: try r.decode(2),
                        candidates: try r.decode(3), matched: try r.decode(4))
        }
    }

    private static func exclusions(_ db: Connection, where filter: String,
                                   _ params: [PostgresValue]) throws -> [Exclusion] {
        try db.query("""
            SELECT subject, worker_id, vacancy_id, reason FROM run_exclusions WHERE \(filter)
            """, params: params).map { r in
            let text: String = try r.decode(0)
            guard let subject = Exclusion.Subject(rawValue: text) else {
                throw PostgresError(kind: .decoding, message: "run_exclusions.subject '\(text)' is not a subject")
            }
            return Exclusion(subject: subject, workerId: try r.decodeIfPresent(1), vacancyId: try r.decodeIfPresent(2),
                             reason: try r.decode(3))
        }
    }
}
