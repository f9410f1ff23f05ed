/// A candidate pair before worker ranks are known.
struct ScoredPair: Sendable {
    var worker: Int32
    var vacancy: Int32
    var fitMicro: Int32
}

/// A pair that met conditions 1-3 of section 4 but broke a pair rule.
struct PairExclusion: Sendable {
    var worker: Int32
    var vacancy: Int32
    var reason: ExclusionReason
}

/// What one shard of workers yields: candidates and pair exclusions, sorted by (worker, vacancy).
struct ShardOutput: Sendable {
    var candidates: [ScoredPair] = []
    var pairExclusions: [PairExclusion] = []
    /// Pairs whose fit was computed (for the benchmark).
    var scored = 0
}

/// Candidate generation (MATCHING.md section 4) without scoring every pair.
///
/// Workers are cut into shards of contiguous indices; each shard indexes its
/// workers per destination they accept (DestinationIndexes), so a vacancy
/// reads only the workers who would go there. Within such an index it
/// enumerates only the workers that could reach `min_fit`. The bound: `fit *
/// W` is at most a constant (criteria equal to 1 for everyone, such as skills
/// when none are required) plus, for each "feature" list the worker is on,
/// the most that feature can add: same ISCO 2 digits `0.3 w_occ`, same 3
/// digits `0.3 w_occ + w_exp` (experience needs 3 digits), same 4 digits
/// `0.4 w_occ`; each required skill its share of `w_skills` at level >= m and
/// half of it at level m-1; each required language `w_lang / n` at level >= L
/// and half at L-1; education `w_edu` at >= min and half at min-1. A set J of
/// features is chosen (cheapest lists per weight first) so that a worker on
/// none of J's lists has a bound below `ceil(min_fit * 1e6) - 0.5` micro
/// (with a 1e-6 safety margin); the weights of J's lists are summed per
/// worker over the union of J's lists, and only the workers whose bound
/// (constant + weights not in J + their sum) reaches the threshold are
/// scored. When no J exists (small `min_fit`) every worker of the index is.
/// Every scored pair is then checked exactly, so the result equals checking
/// every pair. Shards are independent, so they run in parallel, and their
/// outputs concatenate in shard order into (worker, vacancy) order.
struct CandidateGenerator: Sendable {
    let instance: CompiledInstance
    let scorer: FitScorer
    let policy: Policy
    let thresholdMicro: Int32
    let pairChecks = EthicalRules.pairChecks

    /// Eligible worker indices cut into about `count` contiguous shards.
    func shards(count: Int) -> [[Int32]] {
        let eligible = (0..<instance.workerCount).filter { instance.workerEligible[$0] }.map { Int32($0) }
        let n = max(1, min(count, eligible.count))
        let size = (eligible.count + n - 1) / n
        return stride(from: 0, to: eligible.count, by: max(1, size)).map {
            Array(eligible[$0..<min(eligible.count, $0 + size)])
        }
    }

    /// All shards one after the other.
    func generateSequentially(shardCount: Int = 1) -> ShardOutput {
        merge(shards(count: shardCount).map { generate(shard: $0) })
    }

    /// All shards in parallel (structured concurrency), merged in shard order.
    func generate(shardCount: Int) async -> ShardOutput {
        let shards = shards(count: shardCount)
        let outputs = await withTaskGroup(of: (Int, ShardOutput).self) { group in
            for (i, shard) in shards.enumerated() {
                group.addTask { (i, self.generate(shard: shard)) }
            }
            var outputs = [ShardOutput](repeating: ShardOutput(), count: shards.count)
            for await (i, output) in group { outputs[i] = output }
            return outputs
        }
        return merge(outputs)
    }

    private func merge(_ outputs: [ShardOutput]) -> ShardOutput {
        var all = ShardOutput()
        all.candidates.reserveCapacity(outputs.reduce(0) { $0 + $1.candidates.count })
        all.pairExclusions.reserveCapacity(outputs.reduce(0) { $0 + $1.pairExclusions.count })
        for o in outputs {
            all.candidates.append(contentsOf: o.candidates)
            all.pairExclusions.append(contentsOf: o.pairExclusions)
            all.scored += o.scored
        }
        return all
    }

    /// A list of workers and the most being on it can add to `fit * W`.
    private struct Feature {
        /// The list's workers (`LeveledPostings.workers`); the feature is `workers[range]`.
        var workers: [Int32]
        var range: Range<Int>
        var weight: Double
    }

    /// Per-worker scratch of one index pass: which pass touched a worker last, and its summed weights.
    private struct Scratch {
        var stamp: [Int] = [], sum: [Double] = [], touched: [Int32] = []
        var pass = 0

        mutating func fit(_ count: Int) {
            if stamp.count < count {
                stamp = [Int](repeating: -1, count: count)
                sum = [Double](repeating: 0, count: count)
            }
        }
    }

    /// Candidates and pair exclusions of one shard of workers.
    func generate(shard: [Int32]) -> ShardOutput {
        let indexes = DestinationIndexes(instance, workers: shard)
        var scratch = Scratch()
        scratch.fit(indexes.byDestination.reduce(indexes.anyDestination.workers.count) { max($0, $1.index.workers.count) })
        var eligible: [Int32] = []
        var byDestination = [[Int32]](repeating: [], count: instance.countryCount)
        for v in 0..<instance.vacancyCount where instance.vacancyEligible[v] {
            eligible.append(Int32(v))
            byDestination[Int(instance.destination[v])].append(Int32(v))
        }
        var out = ShardOutput()
        var features: [Feature] = []
        // One destination's workers at a time, so their compact data stays in cache.
        for (country, index) in indexes.byDestination {
            for v in byDestination[Int(country)] { generate(Int(v), index, &features, &scratch, &out) }
        }
        for v in eligible { generate(Int(v), indexes.anyDestination, &features, &scratch, &out) }
        // Two stable counting sorts (vacancy, then worker) give (worker, vacancy) order.
        let (first, last) = (shard.first ?? 0, shard.last ?? 0), lastVacancy = Int32(max(0, instance.vacancyCount - 1))
        out.candidates = CandidateGenerator.byKey(
            CandidateGenerator.byKey(out.candidates, first: 0, last: lastVacancy) { $0.vacancy },
            first: first, last: last) { $0.worker }
        out.pairExclusions = CandidateGenerator.byKey(
            CandidateGenerator.byKey(out.pairExclusions, first: 0, last: lastVacancy) { $0.vacancy },
            first: first, last: last) { $0.worker }
        return out
    }

    /// The pairs of vacancy `v` with the workers of one index.
    private func generate(_ v: Int, _ index: ShardIndex, _ features: inout [Feature], _ scratch: inout Scratch,
                          _ out: inout ShardOutput) {
        if index.workers.isEmpty { return }
        let limit = Double(thresholdMicro) - 0.5 - 1e-6
        var constant = 0.0
        buildFeatures(v, index, &features, &constant)
        // Cheapest lists per unit of weight first, until the rest cannot reach the threshold.
        features.sort { a, b in
            Double(a.range.count) * b.weight < Double(b.range.count) * a.weight
        }
        var rest = features.reduce(0) { $0 + $1.weight }
        var chosen = 0, cost = 0
        while (constant + rest) * scorer.microPerWeight >= limit && chosen < features.count {
            rest -= features[chosen].weight
            cost += features[chosen].range.count
            chosen += 1
        }
        guard (constant + max(0, rest)) * scorer.microPerWeight < limit else {
            for local in index.workers.indices { evaluate(local, v, index.instance, index.workers, &out) }
            return
        }
        // Lists no longer than what is read already tighten the bound for little work.
        while chosen < features.count && features[chosen].range.count <= cost {
            rest -= features[chosen].weight
            cost += features[chosen].range.count
            chosen += 1
        }
        scratch.pass += 1
        scratch.touched.removeAll(keepingCapacity: true)
        let pass = scratch.pass
        for f in features[0..<chosen] {
            for i in f.range {
                let local = Int(f.workers[i])
                if scratch.stamp[local] != pass {
                    scratch.stamp[local] = pass
                    scratch.sum[local] = 0
                    scratch.touched.append(Int32(local))
                }
                scratch.sum[local] += f.weight
            }
        }
        let base = constant + max(0, rest)
        for local in scratch.touched where (base + scratch.sum[Int(local)]) * scorer.microPerWeight >= limit {
            evaluate(Int(local), v, index.instance, index.workers, &out)
        }
    }

    /// A stable counting sort by `key` (all keys in `first...last`).
    static func byKey<T>(_ items: [T], first: Int32, last: Int32, _ key: (T) -> Int32) -> [T] {
        guard let sample = items.first else { return items }
        var start = [Int](repeating: 0, count: Int(last - first) + 2)
        for x in items { start[Int(key(x) - first) + 1] += 1 }
        for i in 1..<start.count { start[i] += start[i - 1] }
        var out = [T](repeating: sample, count: items.count)
        for x in items {
            let k = Int(key(x) - first)
            out[start[k]] = x
            start[k] += 1
        }
        return out
    }

    /// The feature lists of vacancy `v` in one index, and the constant part of the bound.
    private func buildFeatures(_ v: Int, _ index: ShardIndex, _ features: inout [Feature], _ constant: inout Double) {
        features.removeAll(keepingCapacity: true)
        func add(_ postings: LeveledPostings, _ range: Range<Int>, _ weight: Double) {
            if weight > 0 { features.append(Feature(workers: postings.workers, range: range, weight: weight)) }
        }
        /// Full weight at `level` and above; half of it exactly one below (`halfFrom`, nil when none).
        func leveled(_ postings: LeveledPostings, _ key: Int32, _ level: Int32,
                     halfFrom: Int32?, _ weight: Double) {
            let full = postings.range(key, minLevel: level)
            add(postings, full, weight)
            if let halfFrom {
                let wider = postings.range(key, minLevel: halfFrom)
                add(postings, full.upperBound..<wider.upperBound, weight / 2)
            }
        }
        let inst = instance
        let experienceRequired = inst.requiredYears[v].isPositive
        if !experienceRequired { constant += scorer.wExp }
        add(index.byP2, index.byP2.range(inst.vacancyP2[v]), 0.3 * scorer.wOcc)
        add(index.byP3, index.byP3.range(inst.vacancyP3[v]), 0.3 * scorer.wOcc + (experienceRequired ? scorer.wExp : 0))
        add(index.byP4, index.byP4.range(inst.vacancyP4[v]), 0.4 * scorer.wOcc)

        let skills = inst.requiredSkills.range(v)
        if skills.isEmpty { constant += scorer.wSkills }
        let nE = Double(inst.essentialCount[v]), nO = Double(inst.optionalCount[v])
        for i in skills {
            let r = inst.requiredSkills.items[i]
            let share = nE > 0 && nO > 0 ? (r.essential ? 0.8 / nE : 0.2 / nO) : 1 / (nE + nO)
            // A level of 0 or less is met by everyone, even without the skill.
            if r.minLevel <= 0 { constant += scorer.wSkills * share; continue }
            // Half credit needs the skill held (level >= 1) at m - 1.
            leveled(index.bySkill, r.code, r.minLevel, halfFrom: r.minLevel >= 2 ? r.minLevel - 1 : nil,
                    scorer.wSkills * share)
        }

        let languages = inst.requiredLanguages.range(v)
        if languages.isEmpty { constant += scorer.wLang }
        for i in languages {
            let r = inst.requiredLanguages.items[i]
            leveled(index.byLanguage, r.code, r.level, halfFrom: r.level >= 2 ? r.level - 1 : nil,
                    scorer.wLang / Double(languages.count))
        }

        let minEducation = inst.minEducation[v]
        if minEducation == Int32.min {
            constant += scorer.wEdu
        } else {
            leveled(index.byEducation, 0, minEducation, halfFrom: minEducation - 1, scorer.wEdu)
        }
    }

    /// Conditions 3, 2 and 4 of section 4 for an eligible pair (cheapest first):
    /// worker `local` of an index (its data in `inst`, its global index in `workers`) and vacancy `v`.
    @inline(__always)
    private func evaluate(_ local: Int, _ v: Int, _ inst: CompiledInstance, _ workers: [Int32],
                          _ out: inout ShardOutput) {
        // The destination is met: the index lists only workers who accept it.
        guard inst.workerAcceptsTerms(local, v) else { return }
        out.scored += 1
        let fit = scorer.fitMicro(inst, local, v)
        guard fit >= thresholdMicro else { return }
        let w = workers[local]
        var excluded = false
        for check in pairChecks where check.fires(inst, local, v, policy) {
            out.pairExclusions.append(PairExclusion(worker: w, vacancy: Int32(v), reason: check.reason))
            excluded = true
        }
        if !excluded { out.candidates.append(ScoredPair(worker: w, vacancy: Int32(v), fitMicro: fit)) }
    }
}
