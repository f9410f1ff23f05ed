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
    /// A residual edge, stored with the other edges leaving the same node
    /// (compressed rows), so that a node's scan reads contiguous memory.
    private struct Edge {
        var to: Int32
        var capacity: Int32
        /// Position of the opposite edge.
        var reverse: Int32
        /// The cost's two parts: an edge's are a fit_micro and a worker_rank (or their
        /// negations), which `Candidate` holds in 32 bits; kept so, an edge takes 20 bytes.
        var fit: Int32, rank: Int32

        init(to: Int32, capacity: Int32, reverse: Int32, cost: PathCost) {
            self.to = to; self.capacity = capacity; self.reverse = reverse
            fit = Int32(cost.fit); rank = Int32(cost.rank)
        }

        var cost: PathCost { PathCost(fit: Int64(fit), rank: Int64(rank)) }
    }

    /// What Dijkstra reads and writes per node, kept together (one cache line, not four).
    private struct NodeState {
        var potential = PathCost.zero
        var dist = PathCost.infinity
        /// The edge that reached the node, -1 when none.
        var via: Int32 = -1
        var done = false
    }

    private let problem: AssignmentProblem
    /// Node `u`'s edges are `edges[first[u]..<first[u + 1]]`, in the order they were added.
    private var edges: [Edge] = []
    private var first: [Int] = []
    /// Position of candidate `i`'s left -> right edge.
    private var candidateEdge: [Int32] = []
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
        // Edges in this order: left -> right per candidate, left -> sink, right -> sink;
        // each node lists its edges (and the reverses of edges into it) in that order.
        let candidateCount = problem.candidates.count
        func ends(_ k: Int) -> (Int, Int) {
            if k < candidateCount {
                let c = problem.candidates[k]
                return vacanciesOnLeft ? (c.vacancy, left.count + c.worker) : (c.worker, left.count + c.vacancy)
            }
            // Left nodes, then right nodes, each to the sink.
            return (k - candidateCount, sink)
        }
        let edgeCount = candidateCount + left.count + right.count
        var first = [Int](repeating: 0, count: sink + 2)
        for k in 0..<edgeCount {
            let (u, v) = ends(k)
            first[u + 1] += 1
            first[v + 1] += 1
        }
        for n in 0...sink { first[n + 1] += first[n] }
        var next = first
        var edges = [Edge](repeating: Edge(to: 0, capacity: 0, reverse: 0, cost: .zero), count: 2 * edgeCount)
        candidateEdge = [Int32](repeating: 0, count: candidateCount)
        // Candidate edges placed by fit, best first (each row then lists them so); the
        // order within a row changes no result: a row's edges reach distinct nodes.
        let byFit = MinCostAssignment.byFitDescending(problem.candidates)
        for j in 0..<edgeCount {
            let k = j < candidateCount ? Int(byFit[j]) : j
            let (u, v) = ends(k)
            let cap: Int, cost: PathCost
            if k < candidateCount {
                let c = problem.candidates[k]
                cap = problem.capacities[c.vacancy] > 0 ? 1 : 0
                cost = PathCost(fit: -Int64(c.fitMicro), rank: Int64(c.workerRank))
                candidateEdge[k] = Int32(next[u])
            } else {
                cap = k < candidateCount + left.count ? left[u] : right[u - left.count]
                cost = .zero
            }
            let pu = next[u], pv = next[v]
            edges[pu] = Edge(to: Int32(v), capacity: Int32(cap), reverse: Int32(pv), cost: cost)
            edges[pv] = Edge(to: Int32(u), capacity: 0, reverse: Int32(pu), cost: .zero - cost)
            next[u] += 1
            next[v] += 1
        }
        self.edges = edges
        self.first = first
    }

    /// Candidate indices by fit descending, ties by index: a stable radix sort
    /// (two 11-bit passes) when fits span less than 2^22, else a comparison sort.
    static func byFitDescending(_ candidates: [Candidate]) -> [Int32] {
        guard var top = candidates.first?.fitMicro else { return [] }
        var bottom = top
        for c in candidates {
            top = max(top, c.fitMicro)
            bottom = min(bottom, c.fitMicro)
        }
        guard top - bottom < 1 << 22 else {
            return candidates.indices.sorted {
                candidates[$0].fitMicro != candidates[$1].fitMicro ? candidates[$0].fitMicro > candidates[$1].fitMicro : $0 < $1
            }.map { Int32($0) }
        }
        var order = (0..<Int32(candidates.count)).map { $0 }
        var other = order
        for shift in [0, 11] {
            var count = [Int](repeating: 0, count: 2049)
            for i in order { count[((top - candidates[Int(i)].fitMicro) >> shift & 2047) + 1] += 1 }
            for b in 0..<2048 { count[b + 1] += count[b] }
            for i in order {
                let b = (top - candidates[Int(i)].fitMicro) >> shift & 2047
                other[count[b]] = i
                count[b] += 1
            }
            swap(&order, &other)
        }
        return order
    }

    /// Matched candidate indices, ascending.
    mutating func solve() -> [Int] {
        let nodes = sink + 1
        var state = [NodeState](repeating: NodeState(), count: nodes)
        var hasEdge = [Bool](repeating: false, count: left.count)
        for e in candidateEdge where edges[Int(e)].capacity > 0 {
            let l = Int(edges[Int(edges[Int(e)].reverse)].to)
            hasEdge[l] = true
            if .zero - edges[Int(e)].cost > state[l].potential { state[l].potential = .zero - edges[Int(e)].cost }
        }

        // Per right node, the positions of its open edges back to the left: the
        // candidate edges carrying flow into it (at most its capacity). Settling it
        // reads those and its sink edge, not the closed reverses of all its candidates.
        // A node never holds more flow than it has candidates, whatever its capacity (openings
        // of 10^20 are valid: sizing by capacity would ask for terabytes).
        var candidatesOf = [Int](repeating: 0, count: right.count)
        for c in problem.candidates { candidatesOf[vacanciesOnLeft ? c.worker : c.vacancy] += 1 }
        var flowStart = [Int](repeating: 0, count: right.count + 1)
        for (r, cap) in right.enumerated() { flowStart[r + 1] = flowStart[r] + min(cap, candidatesOf[r]) }
        var flowEdges = [Int32](repeating: 0, count: flowStart[right.count])
        var flowCount = [Int32](repeating: 0, count: right.count)
        var settled: [Int] = [], touched: [Int] = []
        var heap: [(PathCost, Int32)] = []
        let above: ((PathCost, Int32), (PathCost, Int32)) -> Bool = { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        for start in 0..<left.count where hasEdge[start] {
            for _ in 0..<left[start] {
                for i in touched { state[i].dist = .infinity; state[i].via = -1; state[i].done = false }
                touched.removeAll(keepingCapacity: true)
                settled.removeAll(keepingCapacity: true)
                heap.removeAll(keepingCapacity: true)
                state[start].dist = .zero
                // The length of some path to the sink found so far (an upper bound on its distance).
                var bound = PathCost.infinity
                touched.append(start)
                heap.append((.zero, Int32(start)))
                while let top = heap.first {
                    let last = heap.removeLast()
                    if !heap.isEmpty { heap[0] = last; Heap.siftDown(&heap, base: 0, count: heap.count, at: 0, above: above) }
                    // The sink's distance is final once nothing cheaper is left: stopping
                    // here settles only nodes at that same distance less, whose potentials
                    // would not change (d - D = 0), and the sink's path is already fixed.
                    if state[sink].dist <= top.0 { break }
                    let u = Int(top.1)
                    if state[u].done { continue }
                    state[u].done = true
                    if u == sink { break }
                    settled.append(u)
                    let base = top.0 + state[u].potential
                    /// Relaxes edge `p` out of `u`.
                    func relax(_ p: Int) {
                        let edge = edges[p]
                        guard edge.capacity > 0 else { return }
                        let v = Int(edge.to)
                        if state[v].done { return }
                        let d = base + edge.cost - state[v].potential
                        // A node farther than some path to the sink is never settled
                        // before the sink is (the loop stops there), so it is left out.
                        guard d < state[v].dist && d <= bound else { return }
                        // Every node's last edge goes to the sink: a path there bounds the search.
                        let last = edges[first[v + 1] - 1]
                        if v != sink && last.capacity > 0 {
                            let through = d + last.cost + state[v].potential - state[sink].potential
                            if through < bound { bound = through }
                        }
                        if state[v].dist == .infinity { touched.append(v) }
                        state[v].dist = d
                        state[v].via = Int32(p)
                        heap.append((d, Int32(v)))
                        Heap.siftUp(&heap, base: 0, at: heap.count - 1, above: above)
                    }
                    let end = first[u + 1] - 1
                    if u < left.count {
                        // A left node's candidate edges go by fit, best first, and right
                        // potentials are <= 0: once even a zero potential would put the
                        // next edge past the bound, every later edge is past it too.
                        for p in first[u]..<end {
                            if base.fit + Int64(edges[p].fit) > bound.fit { break }
                            relax(p)
                        }
                    } else {
                        // A right node's only open edges: back along the flow it carries, and to the sink.
                        let r = u - left.count
                        for i in flowStart[r]..<flowStart[r] + Int(flowCount[r]) { relax(Int(flowEdges[i])) }
                    }
                    relax(end)
                }
                // The start's own "unmatched" edge always reaches the sink.
                let reach = state[sink].dist
                for u in settled { state[u].potential = state[u].potential + state[u].dist - reach }
                let last = Int(state[sink].via)
                if Int(edges[Int(edges[last].reverse)].to) == start { break }
                var node = sink
                while node != start {
                    let e = Int(state[node].via), back = Int(edges[e].reverse)
                    let tail = Int(edges[back].to)
                    edges[e].capacity -= 1
                    edges[back].capacity += 1
                    if tail < left.count && node < sink {
                        // A candidate edge now carries flow: its way back opens at the right node.
                        let r = node - left.count
                        flowEdges[flowStart[r] + Int(flowCount[r])] = Int32(back)
                        flowCount[r] += 1
                    } else if tail >= left.count && tail < sink && node < left.count {
                        // Flow sent back along a candidate edge: that way back closes.
                        let r = tail - left.count, open = flowStart[r]..<flowStart[r] + Int(flowCount[r])
                        let i = open.first { flowEdges[$0] == Int32(e) }!
                        flowEdges[i] = flowEdges[open.upperBound - 1]
                        flowCount[r] -= 1
                    }
                    node = tail
                }
            }
        }
        return (0..<problem.candidates.count).filter {
            edges[Int(candidateEdge[$0])].capacity == 0 && problem.capacities[problem.candidates[$0].vacancy] > 0
        }
    }
}
