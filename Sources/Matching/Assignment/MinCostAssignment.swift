/// A path or edge cost for the `optimal` strategy, ordered lexicographically:
/// first `fit` (the negated fit_micro), then `rank` (worker_rank).
///
/// This is the single cost `-fit_micro * BIG + worker_rank` with BIG larger
/// than any total of ranks, kept as two Int64 fields instead so that nothing
/// can overflow: a path alternates at most V edges, so its `fit` part is at
/// most V * 1e6 in magnitude and its `rank` part at most the number of
/// candidates times the largest rank, both far inside Int64 (a single Int64
/// cost with BIG = candidates + 1 would need V * 1e6 * BIG < 9.2e18, which
/// 200,000 workers with millions of candidates would break).
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
/// Network: source -> each worker (capacity 1, cost 0), worker -> vacancy per
/// candidate (capacity 1, cost (-fit_micro, worker_rank)), vacancy -> sink
/// (capacity `openings`, cost 0). Successive shortest paths: each step sends
/// one unit along a cheapest source-sink path, found by Dijkstra with a binary
/// heap on reduced costs `c + pi(u) - pi(v) >= 0` (Johnson potentials). The
/// first potentials come from the network being a DAG with negative costs:
/// pi(worker) = 0, pi(vacancy) = its cheapest incoming cost, pi(sink) = the
/// least of those. Path costs never decrease from one step to the next, so
/// stopping at the first path whose cost is not negative gives the cheapest
/// flow of any size, i.e. the largest fit sum and then the smallest rank sum;
/// a candidate with fit_micro 0 only adds rank and is never taken. Dijkstra
/// stops when it settles the sink; every node's potential then grows by
/// min(its tentative distance, the sink's), which keeps reduced costs >= 0.
/// Ties in the heap break by node number, so the result is deterministic.
/// Chosen over the Hungarian method because openings are capacities (no
/// need to copy vacancies) and because it works on the sparse candidate graph.
struct MinCostAssignment {
    private let problem: AssignmentProblem
    private var to: [Int32] = [], capacity: [Int32] = [], cost: [PathCost] = []
    private var adjacency = Ragged<Int32>()
    private let source = 0, sink: Int

    init(_ problem: AssignmentProblem) {
        self.problem = problem
        let workers = problem.workerCount, vacancies = problem.capacities.count
        sink = 1 + workers + vacancies
        var edgesOf = [[Int32]](repeating: [], count: sink + 1)
        func addEdge(_ u: Int, _ v: Int, _ cap: Int, _ c: PathCost) {
            edgesOf[u].append(Int32(to.count)); to.append(Int32(v)); capacity.append(Int32(cap)); cost.append(c)
            edgesOf[v].append(Int32(to.count)); to.append(Int32(u)); capacity.append(0); cost.append(.zero - c)
        }
        // Edge 2i is candidate i's worker -> vacancy edge.
        for c in problem.candidates {
            let usable = problem.capacities[c.vacancy] > 0
            addEdge(1 + c.worker, 1 + workers + c.vacancy, usable ? 1 : 0,
                    PathCost(fit: -Int64(c.fitMicro), rank: Int64(c.workerRank)))
        }
        for w in 0..<workers { addEdge(source, 1 + w, 1, .zero) }
        for v in 0..<vacancies { addEdge(1 + workers + v, sink, max(0, problem.capacities[v]), .zero) }
        for e in edgesOf { adjacency.appendRow(e) }
    }

    /// Matched candidate indices, ascending.
    mutating func solve() -> [Int] {
        let nodes = sink + 1, workers = problem.workerCount
        var potential = [PathCost](repeating: .zero, count: nodes)
        // DAG order: source, workers (0), vacancies (cheapest incoming), sink.
        var reached = [Bool](repeating: false, count: nodes)
        for e in stride(from: 0, to: problem.candidates.count * 2, by: 2) where capacity[e] > 0 {
            let v = Int(to[e])
            if !reached[v] || cost[e] < potential[v] { potential[v] = cost[e]; reached[v] = true }
        }
        for v in (1 + workers)..<sink where reached[v] && potential[v] < potential[sink] { potential[sink] = potential[v] }

        var dist = [PathCost](repeating: .infinity, count: nodes)
        var via = [Int32](repeating: -1, count: nodes)
        var done = [Bool](repeating: false, count: nodes)
        var heap: [(PathCost, Int32)] = []
        while true {
            for i in 0..<nodes { dist[i] = .infinity; via[i] = -1; done[i] = false }
            dist[source] = .zero
            heap.removeAll(keepingCapacity: true)
            heap.append((.zero, Int32(source)))
            let above: ((PathCost, Int32), (PathCost, Int32)) -> Bool = { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            while let top = heap.first {
                let last = heap.removeLast()
                if !heap.isEmpty { heap[0] = last; Heap.siftDown(&heap, base: 0, count: heap.count, at: 0, above: above) }
                let u = Int(top.1)
                if done[u] { continue }
                done[u] = true
                if u == sink { break }
                for k in adjacency.range(u) {
                    let e = Int(adjacency.items[k])
                    guard capacity[e] > 0 else { continue }
                    let v = Int(to[e])
                    if done[v] { continue }
                    let d = top.0 + cost[e] + potential[u] - potential[v]
                    if d < dist[v] {
                        dist[v] = d
                        via[v] = Int32(e)
                        heap.append((d, Int32(v)))
                        Heap.siftUp(&heap, base: 0, at: heap.count - 1, above: above)
                    }
                }
            }
            guard done[sink] else { break }
            let reach = dist[sink]
            for i in 0..<nodes { potential[i] = potential[i] + min(dist[i], reach) }
            // The path's true cost is pi(sink) - pi(source), and pi(source) stays 0.
            if !(potential[sink] < .zero) { break }
            var node = sink
            while node != source {
                let e = Int(via[node])
                capacity[e] -= 1
                capacity[e ^ 1] += 1
                node = Int(to[e ^ 1])
            }
        }
        return (0..<problem.candidates.count).filter { capacity[2 * $0] == 0 && problem.capacities[problem.candidates[$0].vacancy] > 0 }
    }
}
