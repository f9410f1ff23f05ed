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
/// workers (ShardIndex) and, for each eligible vacancy, enumerates only the
/// workers that could reach `min_fit`. The bound: `fit * W` is at most a
/// constant (criteria equal to 1 for everyone, such as skills when none are
/// required) plus, for each "feature" list the worker is on, the most that
/// feature can add: same ISCO 2 digits `0.3 w_occ`, same 3 digits `0.3 w_occ
/// + w_exp` (experience needs 3 digits), same 4 digits `0.4 w_occ`; each
/// required skill (level >= max(1, m-1)) its share of `w_skills`; each
/// required language (level >= L-1) `w_lang / n`; education >= min-1
/// `w_edu`. A set J of features is chosen (cheapest lists per weight first)
/// so that a worker on none of J's lists has a bound below
/// `ceil(min_fit * 1e6) - 0.5` micro (with a 1e-6 safety margin); only the
/// union of J's lists is scored. If the vacancy's destination list (workers
/// preferring it or having no preference) is shorter, that is enumerated
/// instead; when no J exists (small `min_fit`) the whole shard is. Every
/// enumerated pair is then checked exactly, so the result equals checking
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
        for o in outputs {
            all.candidates.append(contentsOf: o.candidates)
            all.pairExclusions.append(contentsOf: o.pairExclusions)
            all.scored += o.scored
        }
        return all
    }

    /// Which lists to enumerate for one vacancy.
    private enum Source { case all, destination, features }

    /// A list of workers and the most being on it can add to `fit * W`.
    private struct Feature {
        var postings: KeyPath<ShardIndex, LeveledPostings>
        var range: Range<Int>
        var weight: Double
    }

    /// Candidates and pair exclusions of one shard of workers.
    func generate(shard: [Int32]) -> ShardOutput {
        let index = ShardIndex(instance, workers: shard)
        var out = ShardOutput()
        var stamp = [Int32](repeating: -1, count: shard.count)
        var features: [Feature] = []
        let limit = Double(thresholdMicro) - 0.5 - 1e-6
        for v in 0..<instance.vacancyCount where instance.vacancyEligible[v] {
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
            let featuresWork = (constant + max(0, rest)) * scorer.microPerWeight < limit
            let destination = index.byDestination.range(instance.destination[v])
            let destinationCost = destination.count + index.anyDestination.count
            var source = Source.all
            var best = shard.count
            if destinationCost < best { source = .destination; best = destinationCost }
            if featuresWork && cost < best { source = .features }

            let tag = Int32(v)
            func visit(_ local: Int32) {
                if stamp[Int(local)] == tag { return }
                stamp[Int(local)] = tag
                evaluate(Int(index.workers[Int(local)]), v, &out)
            }
            switch source {
            case .all:
                for local in 0..<Int32(shard.count) { visit(local) }
            case .destination:
                for i in destination { visit(index.byDestination.workers[i]) }
                for local in index.anyDestination { visit(local) }
            case .features:
                for f in features[0..<chosen] {
                    let postings = index[keyPath: f.postings]
                    for i in f.range { visit(postings.workers[i]) }
                }
            }
        }
        // Pairs came vacancy by vacancy; a stable bucket by worker gives (worker, vacancy) order.
        out.candidates = CandidateGenerator.byWorker(out.candidates, first: shard.first ?? 0, last: shard.last ?? 0) { $0.worker }
        out.pairExclusions = CandidateGenerator.byWorker(out.pairExclusions, first: shard.first ?? 0, last: shard.last ?? 0) { $0.worker }
        return out
    }

    /// A stable counting sort by worker index (all in `first...last`).
    static func byWorker<T>(_ items: [T], first: Int32, last: Int32, _ worker: (T) -> Int32) -> [T] {
        guard let sample = items.first else { return items }
        var start = [Int](repeating: 0, count: Int(last - first) + 2)
        for x in items { start[Int(worker(x) - first) + 1] += 1 }
        for i in 1..<start.count { start[i] += start[i - 1] }
        var out = [T](repeating: sample, count: items.count)
        for x in items {
            let k = Int(worker(x) - first)
            out[start[k]] = x
            start[k] += 1
        }
        return out
    }

    /// The feature lists of vacancy `v` in this shard, and the constant part of the bound.
    private func buildFeatures(_ v: Int, _ index: ShardIndex, _ features: inout [Feature], _ constant: inout Double) {
        features.removeAll(keepingCapacity: true)
        func add(_ postings: KeyPath<ShardIndex, LeveledPostings>, _ range: Range<Int>, _ weight: Double) {
            if weight > 0 { features.append(Feature(postings: postings, range: range, weight: weight)) }
        }
        let inst = instance
        let experienceRequired = inst.requiredYears[v].isPositive
        if !experienceRequired { constant += scorer.wExp }
        add(\.byP2, index.byP2.range(inst.vacancyP2[v]), 0.3 * scorer.wOcc)
        add(\.byP3, index.byP3.range(inst.vacancyP3[v]), 0.3 * scorer.wOcc + (experienceRequired ? scorer.wExp : 0))
        add(\.byP4, index.byP4.range(inst.vacancyP4[v]), 0.4 * scorer.wOcc)

        let skills = inst.requiredSkills.range(v)
        if skills.isEmpty { constant += scorer.wSkills }
        let nE = Double(inst.essentialCount[v]), nO = Double(inst.optionalCount[v])
        for i in skills {
            let r = inst.requiredSkills.items[i]
            let share = nE > 0 && nO > 0 ? (r.essential ? 0.8 / nE : 0.2 / nO) : 1 / (nE + nO)
            // A level of 0 or less is met by everyone, even without the skill.
            if r.minLevel <= 0 { constant += scorer.wSkills * share; continue }
            add(\.bySkill, index.bySkill.range(r.code, minLevel: max(1, r.minLevel - 1)), scorer.wSkills * share)
        }

        let languages = inst.requiredLanguages.range(v)
        if languages.isEmpty { constant += scorer.wLang }
        for i in languages {
            let r = inst.requiredLanguages.items[i]
            add(\.byLanguage, index.byLanguage.range(r.code, minLevel: max(1, r.level - 1)),
                scorer.wLang / Double(languages.count))
        }

        let minEducation = inst.minEducation[v]
        if minEducation == Int32.min {
            constant += scorer.wEdu
        } else {
            add(\.byEducation, index.byEducation.range(0, minLevel: minEducation - 1), scorer.wEdu)
        }
    }

    /// Conditions 3, 2 and 4 of section 4 for an eligible pair (cheapest first).
    @inline(__always)
    private func evaluate(_ w: Int, _ v: Int, _ out: inout ShardOutput) {
        guard instance.workerAccepts(w, v) else { return }
        out.scored += 1
        let fit = scorer.fitMicro(instance, w, v)
        guard fit >= thresholdMicro else { return }
        var excluded = false
        for check in pairChecks where check.fires(instance, w, v, policy) {
            out.pairExclusions.append(PairExclusion(worker: Int32(w), vacancy: Int32(v), reason: check.reason))
            excluded = true
        }
        if !excluded { out.candidates.append(ScoredPair(worker: Int32(w), vacancy: Int32(v), fitMicro: fit)) }
    }
}
