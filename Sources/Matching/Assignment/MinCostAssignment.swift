/// A path or edge cost for the `optimal` strategy, ordered lexicographically:
/// first `fit` (the negated fit_micro), then `rank` (worker_rank).
///
/// This is the single cost `-fit_micro * BIG + worker_rank` with BIG larger
/// than any possible total of ranks (the number of candidates + 1 will do),
/// kept as two Int64 fields instead. A single Int64 would have to hold
/// potentials and path lengths of up to (nodes x 1e6 x BIG), about 2.4e5 x
/// 1e6 x 1e7 = 2.4e18 for 200,000 workers, 40,000 vacancies and ten million
/// candidates: too close to Int64.max (9.2e18). Split, the `fit` part is
/// bounded by nodes x 1e6 and the `rank` part by nodes x the largest rank,
/// each times the number of augmentations at worst (potentials only move by
/// path lengths), about 1e17 and 1e15: far inside Int64. Swift traps on
/// overflow, so an input beyond that would stop the run, never mislead it.
struct PathCost: Comparable {
    var fit: Int64
    var rank: Int64

    static let zero = PathCost(fit: 0, rank: 0)
    static let infinity = PathCost(fit: Int64.max, rank: Int64.max)

    static func < (a: PathCost, b: PathCost) -> Bool { a.fit != b.fit ? a.fit < b.fit : a.rank < b.rank }
    static func + (a: PathCost, b: PathCost) -> PathCost { PathCost(fit: a.fit + b.fit, rank: a.rank + b.rank) }
    static func - (a: PathCost, b: PathCost) -> PathCost { PathCost(fit: a.fit - b.fit, rank: a.rank - b.rank) }
}

/// The `optimal` strategy: a maximum-`fit_micro` matching with, among those,
/// the least total `worker_rank`, as a min-cost flow.
///
/// Network, from the side with fewer units (workers, or vacancy openings
/// when there are fewer of those; the "left" side): left -> right per
/// candidate (capacity 1, cost (-fit_micro, worker_rank)), left -> sink
/// (its capacity, cost 0: "stays unmatched"), right -> sink (its capacity,
/// cost 0). Every left unit is sent, so a cheapest flow is a matching
/// minimising the sum of candidate costs: the largest fit sum, then the
/// smallest rank sum; a candidate with fit 0 costs (0, rank) > 0 and loses
/// to staying unmatched. This is the Hungarian method's successive shortest
/// paths, one left unit at a time (sources may come in any order: each
/// augmentation along a shortest path keeps the residual graph free of
/// negative cycles). Each path is found by Dijkstra with a binary heap on
/// reduced costs `c + pi(u) - pi(v) >= 0` (Johnson potentials). The first
/// potentials are those of the row reduction: pi(sink) = pi(right) = 0 and
/// pi(left) = the larger of 0 and minus its cheapest candidate cost, so a
/// left node's best edge, and its way on to a right node with room, costs 0.
/// Dijkstra stops when it settles the sink (at distance D); each node it
/// settled gets pi += d - D and the rest keep pi (the same as adding min(d,
/// D) everywhere, minus a constant), which keeps every reduced cost >= 0 and
/// touches only the explored part of the graph. When a left node's cheapest
/// path is its own "unmatched" edge (true cost 0), its later units would cost
/// no less, so they stay unmatched. Starting from one left node rather than
/// from a super-source matters: a super-source reaches every free node at
/// distance 0, so each search would scan all their edges; and starting from
/// the scarcer side keeps searches short, since the other side mostly has
/// room. Ties in the heap break by node number and left nodes go in index
/// order: deterministic. Chosen over the plain Hungarian matrix because
/// openings are capacities (no copies of vacancies) and because it works on
/// the sparse candidate graph.
struct MinCostAssignment {
    private let problem: AssignmentProblem
    private var to: [Int32] = [], capacity: [Int32] = [], cost: [PathCost] = []
    private var adjacency = Ragged<Int32>()
    /// Capacities of the left side (nodes 0..<left.count), then of the right side.
    private let left: [Int], right: [Int]
    private let sink: Int
    private let vacanciesOnLeft: Bool

    init(_ problem: AssignmentProblem) {
        self.problem = problem
        var active = [Bool](repeating: false, count: problem.workerCount)
        for c in problem.candidates where problem.capacities[c.vacancy] > 0 { active[c.worker] = true }
        let openings = problem.capacities.reduce(0) { $0 + max(0, $1) }
        vacanciesOnLeft = openings < active.filter { $0 }.count
        let workerCapacities = [Int](repeating: 1, count: problem.workerCount)
        let vacancyCapacities = problem.capacities.map { max(0, $0) }
        (left, right) = vacanciesOnLeft ? (vacancyCapacities, workerCapacities) : (workerCapacities, vacancyCapacities)
        sink = left.count + right.count
        var edgesOf = [[Int32]](repeating: [], count: sink + 1)
        func addEdge(_ u: Int, _ v: Int, _ cap: Int, _ c: PathCost) {
            edgesOf[u].append(Int32(to.count)); to.append(Int32(v)); capacity.append(Int32(cap)); cost.append(c)
            edgesOf[v].append(Int32(to.count)); to.append(Int32(u)); capacity.append(0); cost.append(.zero - c)
        }
        // Edge 2i is candidate i's left -> right edge.
        for c in problem.candidates {
            let (l, r) = vacanciesOnLeft ? (c.vacancy, c.worker) : (c.worker, c.vacancy)
            addEdge(l, left.count + r, problem.capacities[c.vacancy] > 0 ? 1 : 0,
                    PathCost(fit: -Int64(c.fitMicro), rank: Int64(c.workerRank)))
        }
        for (l, cap) in left.enumerated() { addEdge(l, sink, cap, .zero) }
        for (r, cap) in right.enumerated() { addEdge(left.count + r, sink, cap, .zero) }
        for e in edgesOf { adjacency.appendRow(e) }
    }

    /// Matched candidate indices, ascending.
    mutating func solve() -> [Int] {
        let nodes = sink + 1
        var potential = [PathCost](repeating: .zero, count: nodes)
        var hasEdge = [Bool](repeating: false, count: left.count)
        for e in stride(from: 0, to: problem.candidates.count * 2, by: 2) where capacity[e] > 0 {
            let l = Int(to[e ^ 1])
            hasEdge[l] = true
            if .zero - cost[e] > potential[l] { potential[l] = .zero - cost[e] }
        }

        var dist = [PathCost](repeating: .infinity, count: nodes)
        var via = [Int32](repeating: -1, count: nodes)
        var settled: [Int] = [], touched: [Int] = []
        var done = [Bool](repeating: false, count: nodes)
        var heap: [(PathCost, Int32)] = []
        let above: ((PathCost, Int32), (PathCost, Int32)) -> Bool = { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        for start in 0..<left.count where hasEdge[start] {
            for _ in 0..<left[start] {
                for i in touched { dist[i] = .infinity; via[i] = -1; done[i] = false }
                touched.removeAll(keepingCapacity: true)
                settled.removeAll(keepingCapacity: true)
                heap.removeAll(keepingCapacity: true)
                dist[start] = .zero
                touched.append(start)
                heap.append((.zero, Int32(start)))
                while let top = heap.first {
                    let last = heap.removeLast()
                    if !heap.isEmpty { heap[0] = last; Heap.siftDown(&heap, base: 0, count: heap.count, at: 0, above: above) }
                    // The sink's distance is final once nothing cheaper is left: stopping
                    // here settles only nodes at that same distance less, whose potentials
                    // would not change (d - D = 0), and the sink's path is already fixed.
                    if dist[sink] <= top.0 { break }
                    let u = Int(top.1)
                    if done[u] { continue }
                    done[u] = true
                    if u == sink { break }
                    settled.append(u)
                    for k in adjacency.range(u) {
                        let e = Int(adjacency.items[k])
                        guard capacity[e] > 0 else { continue }
                        let v = Int(to[e])
                        if done[v] { continue }
                        let d = top.0 + cost[e] + potential[u] - potential[v]
                        if d < dist[v] {
                            if dist[v] == .infinity { touched.append(v) }
                            dist[v] = d
                            via[v] = Int32(e)
                            heap.append((d, Int32(v)))
                            Heap.siftUp(&heap, base: 0, at: heap.count - 1, above: above)
                        }
                    }
                }
                // The start's own "unmatched" edge always reaches the sink.
                let reach = dist[sink]
                for u in settled { potential[u] = potential[u] + dist[u] - reach }
                if Int(to[Int(via[sink]) ^ 1]) == start { break }
                var node = sink
                while node != start {
                    let e = Int(via[node])
                    capacity[e] -= 1
                    capacity[e ^ 1] += 1
                    node = Int(to[e ^ 1])
                }
            }
        }
        return (0..<problem.candidates.count).filter {
            capacity[2 * $0] == 0 && problem.capacities[problem.candidates[$0].vacancy] > 0
        }
    }
}
