import Matching

/// The results of one run as the rows the database keeps: matches with their
/// per-criterion breakdowns, each worker's top five candidates, every taking-part
/// worker and vacancy with its candidate and match counts, the exclusions, and
/// `summary.json` as written.
///
/// Built from an engine result (to persist it, or to verify a stored run) or read
/// from the database (to export it); the two are compared with `==` and rendered
/// by `tables`, so a stored run and its recomputation can be diffed line by line.
public struct RunResults: Sendable, Equatable {
    /// A matched or candidate pair with its fit, the worker's rank and the exact criteria.
    public struct Pair: Sendable, Hashable {
        public var workerId: String
        public var vacancyId: String
        public var fitMicro: Int
        public var workerRank: Int
        /// occupation, skills, experience, languages, education: `n` or `n/d` in lowest terms.
        public var criteria: [String]

        public init(workerId: String, vacancyId: String, fitMicro: Int, workerRank: Int, criteria: [String]) {
            self.workerId = workerId; self.vacancyId = vacancyId; self.fitMicro = fitMicro
            self.workerRank = workerRank; self.criteria = criteria
        }
    }

    /// One of a worker's five best candidates by fit (then vacancy id).
    public struct TopCandidate: Sendable, Hashable {
        public var position: Int
        public var pair: Pair
        public var matched: Bool
    }

    /// A taking-part worker or vacancy: eligible or not, candidates, matches.
    public struct Participant: Sendable, Hashable {
        public var subject: String
        public var id: String
        public var eligible: Bool
        public var candidates: Int
        public var matched: Int
    }

    /// How many candidates of each worker are kept for explanations.
    public static let topCandidateCount = 5

    /// Sorted by worker id.
    public var matches: [Pair]
    /// Sorted by worker id, then position.
    public var topCandidates: [TopCandidate]
    /// Sorted by subject, then id.
    public var participants: [Participant]
    /// In the order of `exclusions.csv`.
    public var exclusions: [Exclusion]
    /// `summary.json`, byte for byte.
    public var summaryJSON: String

    public init(matches: [Pair], topCandidates: [TopCandidate], participants: [Participant],
                exclusions: [Exclusion], summaryJSON: String) {
        self.matches = matches.sorted { bytesBefore($0.workerId, $1.workerId) }
        self.topCandidates = topCandidates.sorted {
            $0.pair.workerId != $1.pair.workerId ? bytesBefore($0.pair.workerId, $1.pair.workerId)
                : $0.position < $1.position
        }
        self.participants = participants.sorted {
            $0.subject != $1.subject ? bytesBefore($0.subject, $1.subject) : bytesBefore($0.id, $1.id)
        }
        self.exclusions = exclusions.sorted(by: Exclusion.fileOrder)
        self.summaryJSON = summaryJSON
    }

    /// The rows of an engine result; the hashes go into `summary.json`.
    public init(result: MatchingResult, policySHA256: String, inputSHA256: String) {
        func pair(_ c: Candidate) -> Pair {
            let b = result.breakdown(of: c)
            return Pair(workerId: result.workerId(of: c), vacancyId: result.vacancyId(of: c), fitMicro: c.fitMicro,
                        workerRank: c.workerRank,
                        criteria: [b.occupation, b.skills, b.experience, b.languages, b.education].map(\.description))
        }
        let matchedVacancy = Dictionary(uniqueKeysWithValues: result.matches.map { ($0.worker, $0.vacancy) })
        var workerCandidates = [Int](repeating: 0, count: result.workerIds.count)
        var vacancyCandidates = [Int](repeating: 0, count: result.vacancyIds.count)
        var vacancyMatches = [Int](repeating: 0, count: result.vacancyIds.count)
        var top: [TopCandidate] = []
        // Candidates come sorted by worker: take each worker's run, best five by fit then vacancy.
        let all = result.candidates
        var i = 0
        while i < all.count {
            var j = i
            while j < all.count && all[j].worker == all[i].worker { j += 1 }
            workerCandidates[all[i].worker] = j - i
            let best = all[i..<j].sorted { $0.fitMicro != $1.fitMicro ? $0.fitMicro > $1.fitMicro : $0.vacancy < $1.vacancy }
            for (position, c) in best.prefix(RunResults.topCandidateCount).enumerated() {
                top.append(TopCandidate(position: position + 1, pair: pair(c),
                                        matched: matchedVacancy[c.worker] == c.vacancy))
            }
            for c in all[i..<j] { vacancyCandidates[c.vacancy] += 1 }
            i = j
        }
        for m in result.matches { vacancyMatches[m.vacancy] += 1 }
        let excludedWorkers = Set(result.exclusions.filter { $0.subject == .worker }.compactMap(\.workerId))
        var participants: [Participant] = []
        for (w, id) in result.workerIds.enumerated() {
            participants.append(Participant(subject: "worker", id: id, eligible: !excludedWorkers.contains(id),
                                            candidates: workerCandidates[w], matched: matchedVacancy[w] == nil ? 0 : 1))
        }
        for (v, id) in result.vacancyIds.enumerated() {
            // An excluded vacancy offers no openings to the assignment (MATCHING.md section 6).
            participants.append(Participant(subject: "vacancy", id: id, eligible: result.problem.capacities[v] > 0,
                                            candidates: vacancyCandidates[v], matched: vacancyMatches[v]))
        }
        self.init(matches: result.matches.map(pair), topCandidates: top, participants: participants,
                  exclusions: result.exclusions,
                  summaryJSON: OutputFiles.summaryJSON(result, policySHA256: policySHA256, inputSHA256: inputSHA256))
    }

    /// The values holding a comma or a line break, as `table: "value"`. The tables' text
    /// separates fields with commas and rows with line breaks, so such a value could pass for
    /// two fields or two rows (a tamperer's way to merge rows without changing the text). No
    /// run writes one: ids, reason codes and criteria never hold them.
    public var valuesWithSeparators: [String] {
        var found: [String] = []
        func check(_ table: String, _ values: [String?]) {
            for case let value? in values where value.utf8.contains(where: { $0 == 44 || $0 == 10 || $0 == 13 }) {
                found.append("\(table): \(value.debugDescription)")
            }
        }
        for m in matches { check("matches", [m.workerId, m.vacancyId] + m.criteria) }
        for t in topCandidates { check("top candidates", [t.pair.workerId, t.pair.vacancyId] + t.pair.criteria) }
        for p in participants { check("participants", [p.subject, p.id]) }
        for e in exclusions { check("exclusions", [e.workerId, e.vacancyId, e.reason]) }
        return found
    }

    // MARK: - Rendering

    /// `matches.csv` of MATCHING.md section 7.
    public var matchesCSV: String {
        var out = "worker_id,vacancy_id,fit,worker_rank\n"
        for m in matches { out += "\(m.workerId),\(m.vacancyId),\(FitScore.text(micro: m.fitMicro)),\(m.workerRank)\n" }
        return out
    }

    /// `exclusions.csv` of MATCHING.md section 7.
    public var exclusionsCSV: String {
        var out = "subject,worker_id,vacancy_id,reason\n"
        for e in exclusions { out += "\(e.subject.rawValue),\(e.workerId ?? ""),\(e.vacancyId ?? ""),\(e.reason)\n" }
        return out
    }

    /// The files of MATCHING.md section 7 that a stored run can give, by name, in order.
    public var files: [(name: String, text: String)] {
        [("matches.csv", matchesCSV), ("exclusions.csv", exclusionsCSV), ("summary.json", summaryJSON)]
    }

    /// Every table as text, one line per row: the section 7 files and the
    /// explanation tables (breakdowns, top candidates, participants). What
    /// `verify` compares line by line.
    public var tables: [(name: String, text: String)] {
        func criteria(_ p: Pair) -> String { p.criteria.joined(separator: ",") }
        let header = "worker_id,vacancy_id,fit_micro,worker_rank,occupation,skills,experience,languages,education"
        let breakdowns = matches.map {
            "\($0.workerId),\($0.vacancyId),\($0.fitMicro),\($0.workerRank),\(criteria($0))\n"
        }
        let top = topCandidates.map {
            "\($0.position),\($0.pair.workerId),\($0.pair.vacancyId),\($0.pair.fitMicro),\($0.pair.workerRank),"
                + "\($0.matched),\(criteria($0.pair))\n"
        }
        let people = participants.map { "\($0.subject),\($0.id),\($0.eligible),\($0.candidates),\($0.matched)\n" }
        return files + [
            ("match breakdowns", header + "\n" + breakdowns.joined()),
            ("top candidates", "position," + header.replacingOccurrences(of: "worker_rank,", with: "worker_rank,matched,")
                + "\n" + top.joined()),
            ("participants", "subject,id,eligible,candidates,matched\n" + people.joined()),
        ]
    }
}

/// Byte order of UTF-8, the order of every output file.
func bytesBefore(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
