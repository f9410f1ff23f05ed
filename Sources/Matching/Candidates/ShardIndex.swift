/// Posting lists keyed by an interned code, each list sorted by level descending
/// (then by worker), so that "level >= x" is a prefix of the list.
struct LeveledPostings: Sendable {
    private var start: [Int32] = [0]
    /// Shard-local worker positions.
    private(set) var workers: [Int32] = []
    private var levels: [Int32] = []

    /// Builds from `(key, level, local worker)` entries; keys must be >= 0.
    init(_ entries: [(key: Int32, level: Int32, worker: Int32)]) {
        let sorted = entries.sorted { ($0.key, -$0.level, $0.worker) < ($1.key, -$1.level, $1.worker) }
        let keyCount = Int(sorted.last.map { $0.key + 1 } ?? 0)
        start = [Int32](repeating: 0, count: keyCount + 1)
        for e in sorted { start[Int(e.key) + 1] += 1 }
        for k in 0..<keyCount { start[k + 1] += start[k] }
        workers = sorted.map(\.worker)
        levels = sorted.map(\.level)
    }

    /// The positions in `workers` of the list of `key` whose level is at least `minLevel`.
    func range(_ key: Int32, minLevel: Int32 = Int32.min) -> Range<Int> {
        guard key >= 0, Int(key) + 1 < start.count else { return 0..<0 }
        var lo = Int(start[Int(key)]), hi = Int(start[Int(key) + 1])
        let first = lo
        // Levels descend: find the first position whose level is below minLevel.
        while lo < hi {
            let mid = (lo + hi) / 2
            if levels[mid] >= minLevel { lo = mid + 1 } else { hi = mid }
        }
        return first..<lo
    }
}

/// The indexes of one shard of eligible workers: who has which ISCO prefix,
/// skill, language, education level and preferred destination.
struct ShardIndex: Sendable {
    /// Global indices of the shard's workers, ascending; postings hold positions in it.
    let workers: [Int32]
    let byP2, byP3, byP4: LeveledPostings
    let bySkill, byLanguage: LeveledPostings
    /// One list (key 0), by education level.
    let byEducation: LeveledPostings
    /// Workers that list a destination; `anyDestination` holds those with no preference.
    let byDestination: LeveledPostings
    let anyDestination: [Int32]

    init(_ inst: CompiledInstance, workers: [Int32]) {
        self.workers = workers
        var p2: [(key: Int32, level: Int32, worker: Int32)] = [], p3 = p2, p4 = p2
        var skills = p2, languages = p2, education = p2, destinations = p2
        var any: [Int32] = []
        for (local, g) in workers.enumerated() {
            let w = Int(g), l = Int32(local)
            // One entry per distinct prefix, however many occupations share it.
            let occupations = inst.occupations.range(w)
            for i in occupations {
                let o = inst.occupations.items[i], earlier = inst.occupations.items[occupations.lowerBound..<i]
                if !earlier.contains(where: { $0.p2 == o.p2 }) { p2.append((o.p2, 0, l)) }
                if !earlier.contains(where: { $0.p3 == o.p3 }) { p3.append((o.p3, 0, l)) }
                if !earlier.contains(where: { $0.p4 == o.p4 }) { p4.append((o.p4, 0, l)) }
            }
            for i in inst.workerSkills.range(w) {
                skills.append((inst.workerSkills.items[i].code, inst.workerSkills.items[i].level, l))
            }
            for i in inst.workerLanguages.range(w) {
                languages.append((inst.workerLanguages.items[i].code, inst.workerLanguages.items[i].level, l))
            }
            education.append((0, inst.education[w], l))
            let prefs = inst.preferred.range(w)
            if prefs.isEmpty { any.append(l) }
            for i in prefs { destinations.append((inst.preferred.items[i], 0, l)) }
        }
        byP2 = LeveledPostings(p2); byP3 = LeveledPostings(p3); byP4 = LeveledPostings(p4)
        bySkill = LeveledPostings(skills); byLanguage = LeveledPostings(languages)
        byEducation = LeveledPostings(education)
        byDestination = LeveledPostings(destinations)
        anyDestination = any
    }
}
