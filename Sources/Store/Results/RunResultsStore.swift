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
        guard let summary = try db.query("SELECT summary_json FROM run_summaries WHERE run_id = $1", params: id).first
        else { return nil }
        func pair(_ r: PostgresRow, from c: Int) throws -> Pair {
            Pair(workerId: try r.decode(c), vacancyId: try r.decode(c + 1), fitMicro: try r.decode(c + 2),
                 workerRank: try r.decode(c + 3), criteria: try (c + 4..<c + 9).map { try r.decode($0) })
        }
        let matches = try db.query("""
            SELECT worker_id, vacancy_id, fit_micro, worker_rank, occupation, skills, experience, languages, education
            FROM run_matches WHERE run_id = $1
            """, params: id).map { try pair($0, from: 0) }
        let top = try db.query("""
            SELECT position, matched, worker_id, vacancy_id, fit_micro, worker_rank,
                   occupation, skills, experience, languages, education
            FROM run_top_candidates WHERE run_id = $1
            """, params: id).map { r in
            TopCandidate(position: try r.decode(0), pair: try pair(r, from: 2), matched: try r.decode(1))
        }
        let participants = try db.query("""
            SELECT subject, id, eligible, candidates, matched FROM run_participants WHERE run_id = $1
            """, params: id).map { r in
            Participant(subject: try r.decode(0), id: try r.decode(1), eligible: try r.decode(2),
                        candidates: try r.decode(3), matched: try r.decode(4))
        }
        let exclusions = try db.query("""
            SELECT subject, worker_id, vacancy_id, reason FROM run_exclusions WHERE run_id = $1
            """, params: id).map { r in
            let text: String = try r.decode(0)
            guard let subject = Exclusion.Subject(rawValue: text) else {
                throw PostgresError(kind: .decoding, message: "run_exclusions.subject '\(text)' is not a subject")
            }
            return Exclusion(subject: subject, workerId: try r.decodeIfPresent(1), vacancyId: try r.decodeIfPresent(2),
                             reason: try r.decode(3))
        }
        return RunResults(matches: matches, topCandidates: top, participants: participants, exclusions: exclusions,
                          summaryJSON: try summary.decode(0))
    }
}
