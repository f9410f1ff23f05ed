/// An acceptable (worker, vacancy) pair: its fit, and where the worker ranks the vacancy.
///
/// `worker` and `vacancy` are indices into the run's taking-part workers and
/// vacancies, sorted by id bytes (so index order is id order).
public struct Candidate: Sendable, Hashable {
    private let w: Int32, v: Int32, fit: Int32, rank: Int32

    public var worker: Int { Int(w) }
    public var vacancy: Int { Int(v) }
    /// `round(fit * 1e6)`.
    public var fitMicro: Int { Int(fit) }
    /// 1-based position of the vacancy in the worker's preferences (MATCHING.md section 5).
    public var workerRank: Int { Int(rank) }

    public init(worker: Int, vacancy: Int, fitMicro: Int, workerRank: Int) {
        w = Int32(worker); v = Int32(vacancy); fit = Int32(fitMicro); rank = Int32(workerRank)
    }

    /// The vacancy's preference (section 5): higher fit first, then lower worker index (id bytes).
    @inline(__always)
    func vacancyPrefers(_ other: Candidate) -> Bool {
        fit != other.fit ? fit > other.fit : w < other.w
    }
}

/// How openings are assigned (MATCHING.md section 6).
public enum Strategy: String, Sendable, Hashable, CaseIterable {
    /// Worker-proposing deferred acceptance: the worker-optimal stable matching.
    case stable
    /// Largest total `fit_micro`, then smallest total `worker_rank`.
    case optimal
    /// Pairs by fit descending, then worker, then vacancy; matched while both have room.
    case greedy
}

/// An assignment instance kept apart from the engine (a "game"): workers,
/// vacancy capacities and the candidate pairs with fits and worker ranks.
/// Each worker's ranks must be distinct; every strategy and the stability
/// check read only this.
public struct AssignmentProblem: Sendable {
    public let workerCount: Int
    /// Openings per vacancy.
    public let capacities: [Int]
    /// One per pair, sorted by (worker, vacancy).
    public let candidates: [Candidate]

    public init(workerCount: Int, capacities: [Int], candidates: [Candidate]) {
        self.workerCount = workerCount
        self.capacities = capacities
        let order: (Candidate, Candidate) -> Bool = { ($0.worker, $0.vacancy) < ($1.worker, $1.vacancy) }
        let sorted = zip(candidates, candidates.dropFirst()).allSatisfy { order($0, $1) }
        self.candidates = sorted ? candidates : candidates.sorted(by: order)
    }

    /// The matched pairs as indices into `candidates`, ascending (so by worker).
    public func solve(_ strategy: Strategy) -> [Int] {
        switch strategy {
        case .stable: return deferredAcceptance()
        case .optimal:
            var solver = MinCostAssignment(self)
            return solver.solve()
        case .greedy: return greedy()
        }
    }

    /// For each worker, its candidate indices from most to least preferred:
    /// worker `w`'s are `items[start[w]..<start[w + 1]]` (candidates are sorted
    /// by worker, so these are also the positions of its candidates).
    func workerPreferences() -> (start: [Int], items: [Int32]) {
        var start = [Int](repeating: 0, count: workerCount + 1)
        for c in candidates { start[c.worker + 1] += 1 }
        for w in 0..<workerCount { start[w + 1] += start[w] }
        // Ranks are usually exactly 1...n: place each candidate; otherwise sort that worker's row.
        var items = [Int32](repeating: -1, count: candidates.count)
        var misplaced = false
        for (k, c) in candidates.enumerated() {
            let base = start[c.worker], r = c.workerRank - 1
            if r >= 0 && r < start[c.worker + 1] - base && items[base + r] < 0 {
                items[base + r] = Int32(k)
            } else {
                misplaced = true
            }
        }
        if misplaced {
            for w in 0..<workerCount where items[start[w]..<start[w + 1]].contains(-1) {
                let row = (start[w]..<start[w + 1]).sorted { candidates[$0].workerRank < candidates[$1].workerRank }
                for (i, k) in row.enumerated() { items[start[w] + i] = Int32(k) }
            }
        }
        return (start, items)
    }

    /// Worker-proposing deferred acceptance with capacities (see `StableMatching`).
    func deferredAcceptance() -> [Int] { StableMatching(self).run() }

    /// `solve(.stable)` timed in its two parts, for benchmarks: building the
    /// preference lists and vacancy heaps, then the proposals alone.
    public func stableTimed() -> (matched: [Int], setup: Duration, proposals: Duration) {
        let clock = ContinuousClock(), start = clock.now
        let stable = StableMatching(self)
        let built = clock.now
        let matched = stable.run()
        return (matched, built - start, clock.now - built)
    }

    /// Pairs in order of fit descending, worker, vacancy; taken while both sides have room.
    func greedy() -> [Int] {
        // Candidates are sorted by (worker, vacancy): by fit, ties by index, is the order wanted.
        let order = MinCostAssignment.byFitDescending(candidates).map { Int($0) }
        var room = capacities
        var busy = [Bool](repeating: false, count: workerCount)
        var matched: [Int] = []
        for i in order {
            let c = candidates[i]
            if !busy[c.worker] && room[c.vacancy] > 0 {
                busy[c.worker] = true
                room[c.vacancy] -= 1
                matched.append(i)
            }
        }
        return matched.sorted()
    }

    /// The candidates (indices) that block `matched`: not matched together,
    /// the worker is free or ranks the vacancy better than its own, and the
    /// vacancy has a free opening or likes the worker more than one it holds.
    public func blockingPairs(matched: [Int]) -> [Int] {
        var own = [Int](repeating: -1, count: workerCount)
        var held = [Int](repeating: 0, count: capacities.count)
        var worst = [Int](repeating: -1, count: capacities.count)
        for i in matched {
            let c = candidates[i]
            own[c.worker] = i
            held[c.vacancy] += 1
            if worst[c.vacancy] < 0 || candidates[worst[c.vacancy]].vacancyPrefers(c) { worst[c.vacancy] = i }
        }
        return candidates.indices.filter { i in
            let c = candidates[i]
            if own[c.worker] == i { return false }
            let workerWants = own[c.worker] < 0 || c.workerRank < candidates[own[c.worker]].workerRank
            let vacancyWants = held[c.vacancy] < capacities[c.vacancy]
                || (worst[c.vacancy] >= 0 && c.vacancyPrefers(candidates[worst[c.vacancy]]))
            return workerWants && vacancyWants
        }
    }
}

/// Binary-heap moves on a slice `heap[base..<base+count]`; `above(a, b)` puts `a` nearer the top.
enum Heap {
    static func siftUp<T>(_ heap: inout [T], base: Int, at index: Int, above: (T, T) -> Bool) {
        var i = index
        while i > 0 {
            let parent = (i - 1) / 2
            guard above(heap[base + i], heap[base + parent]) else { return }
            heap.swapAt(base + i, base + parent)
            i = parent
        }
    }

    static func siftDown<T>(_ heap: inout [T], base: Int, count: Int, at index: Int, above: (T, T) -> Bool) {
        var i = index
        while true {
            var top = i
            let left = 2 * i + 1, right = left + 1
            if left < count && above(heap[base + left], heap[base + top]) { top = left }
            if right < count && above(heap[base + right], heap[base + top]) { top = right }
            if top == i { return }
            heap.swapAt(base + i, base + top)
            i = top
        }
    }
}

/// Worker-proposing deferred acceptance with capacities. Each vacancy holds
/// its best proposals so far in a heap whose top is the one it likes least;
/// the result does not depend on the order of proposals.
struct StableMatching {
    let problem: AssignmentProblem
    /// Worker `w`'s candidates, most preferred first: `prefs[start[w]..<start[w + 1]]`.
    let start: [Int], prefs: [Int32]
    /// Vacancy `v`'s heap is `heap[heapStart[v]..<heapStart[v + 1]]`: its openings, or fewer
    /// when fewer workers can propose.
    let heapStart: [Int]

    init(_ problem: AssignmentProblem) {
        self.problem = problem
        (start, prefs) = problem.workerPreferences()
        let vacancyCount = problem.capacities.count
        var heapStart = [Int](repeating: 0, count: vacancyCount + 1)
        var proposals = [Int](repeating: 0, count: vacancyCount)
        for c in problem.candidates { proposals[c.vacancy] += 1 }
        for v in 0..<vacancyCount {
            heapStart[v + 1] = heapStart[v] + min(max(0, problem.capacities[v]), proposals[v])
        }
        self.heapStart = heapStart
    }

    /// The matched candidates, ascending.
    func run() -> [Int] {
        let candidates = problem.candidates, workerCount = problem.workerCount
        var heap = [Int32](repeating: 0, count: heapStart[heapStart.count - 1])
        var held = [Int](repeating: 0, count: heapStart.count - 1)
        var next = start
        // "a worse than b" for the vacancy: the heap keeps the worst on top.
        func worse(_ a: Int32, _ b: Int32) -> Bool { candidates[Int(b)].vacancyPrefers(candidates[Int(a)]) }
        // Each worker proposes in turn; one it displaces proposes next, down its list.
        var matchOf = [Int32](repeating: -1, count: workerCount)
        for first in 0..<workerCount {
            var w = first
            while w >= 0 {
                let proposer = w, end = start[w + 1]
                w = -1
                while next[proposer] < end {
                    let c = prefs[next[proposer]]
                    let v = candidates[Int(c)].vacancy
                    let base = heapStart[v], cap = heapStart[v + 1] - base
                    if held[v] < cap {
                        heap[base + held[v]] = c
                        held[v] += 1
                        Heap.siftUp(&heap, base: base, at: held[v] - 1, above: worse)
                        matchOf[proposer] = c
                        break
                    }
                    if cap > 0 && worse(heap[base], c) {
                        let loser = candidates[Int(heap[base])].worker
                        heap[base] = c
                        Heap.siftDown(&heap, base: base, count: held[v], at: 0, above: worse)
                        matchOf[proposer] = c
                        matchOf[loser] = -1
                        next[loser] += 1
                        w = loser
                        break
                    }
                    next[proposer] += 1
                }
            }
        }
        // Candidates are sorted by worker: in worker order, the matches are ascending.
        var matched: [Int] = []
        for c in matchOf where c >= 0 { matched.append(Int(c)) }
        return matched
    }
}
