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

/// The indexes of a list of workers: who has which ISCO prefix, skill,
/// language and education level; with the workers' data copied together.
struct ShardIndex: Sendable {
    /// Global indices of the listed workers (in any order); postings and `instance` use positions in it.
    let workers: [Int32]
    /// The run's instance restricted to `workers` (worker `i` here is `workers[i]`).
    let instance: CompiledInstance
    let byP2, byP3, byP4: LeveledPostings
    let bySkill, byLanguage: LeveledPostings
    /// One list (key 0), by education level.
    let byEducation: LeveledPostings

    init(_ whole: CompiledInstance, workers: [Int32]) {
        self.workers = workers
        let inst = whole.restricted(to: workers)
        instance = inst
        var p2: [(key: Int32, level: Int32, worker: Int32)] = [], p3 = p2, p4 = p2
        var skills = p2, languages = p2, education = p2
        for local in workers.indices {
            let w = local, l = Int32(local)
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
        }
        byP2 = LeveledPostings(p2); byP3 = LeveledPostings(p3); byP4 = LeveledPostings(p4)
        bySkill = LeveledPostings(skills); byLanguage = LeveledPostings(languages)
        byEducation = LeveledPostings(education)
    }
}

/// One shard of eligible workers split by the destinations they accept: an
/// index per destination over the workers who list it, and one over the
/// workers who list none (they accept any). A vacancy then looks only at the
/// workers who would go to its destination (condition 3 of section 4): each
/// worker is in exactly one of the two indexes a vacancy reads.
struct DestinationIndexes: Sendable {
    /// Per country that some worker lists, the index of those workers.
    let byDestination: [(country: Int32, index: ShardIndex)]
    let anyDestination: ShardIndex

    init(_ inst: CompiledInstance, workers shard: [Int32]) {
        var members = [[Int32]](repeating: [], count: inst.countryCount)
        var any: [Int32] = []
        for g in shard {
            let prefs = inst.preferred.range(Int(g))
            if prefs.isEmpty { any.append(g); continue }
            for i in prefs {
                let d = Int(inst.preferred.items[i])
                // A country listed twice still puts the worker in its list once.
                if members[d].last != g { members[d].append(g) }
            }
        }
        // Workers of one occupation side by side: a vacancy's lists then cover
        // few, contiguous stretches of the copied worker data.
        func byOccupation(_ workers: [Int32]) -> [Int32] {
            let key = workers.map { g -> Int64 in
                let r = inst.occupations.range(Int(g))
                let p4 = r.isEmpty ? Int64(Int32.max) : Int64(inst.occupations.items[r.lowerBound].p4)
                return p4 << 32 | Int64(g)
            }
            return key.sorted().map { Int32(truncatingIfNeeded: $0) }
        }
        byDestination = members.enumerated().filter { !$0.element.isEmpty }.map {
            (Int32($0.offset), ShardIndex(inst, workers: byOccupation($0.element)))
        }
        anyDestination = ShardIndex(inst, workers: byOccupation(any))
    }
}
