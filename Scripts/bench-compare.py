#!/usr/bin/env python3
"""Time LabourMatch's assignment against reference solvers on one candidate graph (for Scripts/bench compare).

    .bench/venv/bin/python Scripts/bench-compare.py --bin .build/release/labourmatch \
        --candidates DIR/candidates.csv --capacities DIR/capacities.csv --label M [--runs 5]

The graph is `candidates.csv` as `labourmatch match --candidates` writes it (worker_id, vacancy_id,
fit, worker_rank) and `capacities.csv` (vacancy_id, openings). Preferences (MATCHING.md section 5):
a worker ranks its vacancies by worker_rank; a vacancy ranks its workers by fit descending, then
worker_id ascending (bytes).

What is timed, on each side (the best of --runs; everything else, reading files and building
instances, is not timed):
- ours: `AssignmentProblem.solve(strategy)` inside `labourmatch bench-assign`: for `stable` it
  builds the preference lists and runs deferred acceptance (reported whole, and the proposals
  alone: like for like with `matching`, whose game holds its preference lists before solve());
  for `optimal` it builds the flow network and runs successive shortest paths;
- `matching` (1.4.3): `HospitalResident.solve(optimal="resident")` on a game made by
  `HospitalResident.create_from_dictionaries` (a fresh game per run: solving consumes it);
- OR-Tools: `SimpleMinCostFlow.solve()` on a network with the arcs already added (source -> each
  worker, capacity 1; worker -> vacancy per candidate, capacity 1, cost -fit_micro * BIG +
  worker_rank with BIG above any rank sum; vacancy -> sink, capacity openings; source -> sink,
  capacity = workers, cost 0, for the workers left unmatched; supply = workers).

Checks: the stable matchings are the same set of pairs; the optimal ones have the same fit sum
and the same rank sum (optimal matchings need not be unique).
"""

import argparse
import csv
import subprocess
import sys
import threading
import time
from collections import defaultdict


def read_graph(candidates_path, capacities_path):
    rows = []
    with open(candidates_path, encoding="utf-8") as f:
        next(f)
        for line in f:
            w, v, fit, rank = line.rstrip("\n").split(",")
            whole, frac = fit.split(".")
            rows.append((w, v, int(whole) * 1_000_000 + int(frac), int(rank)))
    capacity = {}
    with open(capacities_path, encoding="utf-8") as f:
        next(f)
        for line in f:
            v, n = line.rstrip("\n").split(",")
            capacity[v] = int(n)
    return rows, capacity


def ours(binary, candidates, capacities, strategy, runs, matches):
    out = subprocess.run([binary, "bench-assign", "--candidates", candidates, "--capacities", capacities,
                          "--strategy", strategy, "--runs", str(runs), "--matches", matches],
                         check=True, capture_output=True, text=True).stdout
    fields = dict(item.split("=", 1) for item in out.split())
    pairs = set()
    with open(matches, encoding="utf-8") as f:
        next(f)
        for line in f:
            w, v = line.rstrip("\n").split(",")
            pairs.add((w, v))
    return (float(fields["seconds"]), float(fields.get("proposals_seconds", "nan")), int(fields["fit_sum_micro"]),
            int(fields["rank_sum"]), pairs)


def matching_package(rows, capacity, runs):
    """Best solve() time of the `matching` package's HospitalResident, and its matched pairs."""
    from matching.games import HospitalResident

    by_worker, by_vacancy = defaultdict(list), defaultdict(list)
    for w, v, fit, rank in rows:
        by_worker[w].append((rank, v))
        by_vacancy[v].append((-fit, w.encode(), w))
    resident_prefs = {w: [v for _, v in sorted(items)] for w, items in by_worker.items()}
    hospital_prefs = {v: [w for _, _, w in sorted(items)] for v, items in by_vacancy.items()}
    capacities = {v: capacity[v] for v in hospital_prefs}
    best, build, pairs = None, None, set()
    for _ in range(runs):
        t0 = time.perf_counter()
        game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
        t1 = time.perf_counter()
        matching = game.solve(optimal="resident")
        t2 = time.perf_counter()
        build = t1 - t0 if build is None else min(build, t1 - t0)
        best = t2 - t1 if best is None else min(best, t2 - t1)
        pairs = {(r.name, h.name) for h, residents in matching.items() for r in residents}
    return best, build, pairs


def ortools_flow(rows, capacity, runs):
    """Best SimpleMinCostFlow.solve() time, and the fit and rank sums of its optimum."""
    import numpy as np
    from ortools.graph.python import min_cost_flow

    workers = sorted({w for w, _, _, _ in rows})
    vacancies = sorted({v for _, v, _, _ in rows})
    wi = {w: 1 + i for i, w in enumerate(workers)}
    vi = {v: 1 + len(workers) + i for i, v in enumerate(vacancies)}
    source, sink = 0, 1 + len(workers) + len(vacancies)
    # BIG above any possible rank sum: each worker's largest rank, summed.
    largest = defaultdict(int)
    for w, _, _, rank in rows:
        largest[w] = max(largest[w], rank)
    big = sum(largest.values()) + 1
    starts = [source] * len(workers) + [wi[w] for w, _, _, _ in rows] + [vi[v] for v in vacancies] + [source]
    ends = [wi[w] for w in workers] + [vi[v] for _, v, _, _ in rows] + [sink] * len(vacancies) + [sink]
    caps = [1] * len(workers) + [1] * len(rows) + [capacity[v] for v in vacancies] + [len(workers)]
    costs = [0] * len(workers) + [-fit * big + rank for _, _, fit, rank in rows] + [0] * len(vacancies) + [0]
    best, sums = None, None
    for _ in range(runs):
        flow = min_cost_flow.SimpleMinCostFlow()
        arcs = flow.add_arcs_with_capacity_and_unit_cost(
            np.array(starts, dtype=np.int32), np.array(ends, dtype=np.int32),
            np.array(caps, dtype=np.int64), np.array(costs, dtype=np.int64))
        supplies = [0] * (sink + 1)
        supplies[source], supplies[sink] = len(workers), -len(workers)
        flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), np.array(supplies, dtype=np.int64))
        t0 = time.perf_counter()
        status = flow.solve()
        t1 = time.perf_counter()
        if status != flow.OPTIMAL:
            sys.exit(f"bench: OR-Tools min-cost flow status {status}")
        best = t1 - t0 if best is None else min(best, t1 - t0)
        first = len(workers)
        flows = flow.flows(arcs[first:first + len(rows)])
        fit_sum = sum(rows[i][2] for i in range(len(rows)) if flows[i])
        rank_sum = sum(rows[i][3] for i in range(len(rows)) if flows[i])
        sums = (fit_sum, rank_sum)
    return best, sums


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--candidates", required=True)
    parser.add_argument("--capacities", required=True)
    parser.add_argument("--label", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--matching-runs", type=int, default=3)
    parser.add_argument("--skip-matching", action="store_true", help="leave the matching package out")
    parser.add_argument("--vacancies", help="write --capacities from this vacancies.csv first")
    args = parser.parse_args()
    if args.vacancies:
        with open(args.vacancies, encoding="utf-8", newline="") as f, \
                open(args.capacities, "w", encoding="utf-8") as out:
            out.write("vacancy_id,openings\n")
            for row in csv.DictReader(f):
                out.write(f"{row['vacancy_id']},{row['openings']}\n")
    rows, capacity = read_graph(args.candidates, args.capacities)
    workers = len({r[0] for r in rows})
    print(f"compare {args.label}: {len(rows)} candidates, {workers} workers, "
          f"{len({r[1] for r in rows})} vacancies")
    ok = True

    stable_s, proposals, _, _, stable_pairs = ours(args.bin, args.candidates, args.capacities, "stable", args.runs,
                                        args.candidates + ".stable-matches.csv")
    if args.skip_matching:
        print(f"  stable   ours {stable_s:.7f} s (proposals alone {proposals:.7f} s); matching package left out")
    else:
        # The package deep-copies linked players: deep recursion on large games.
        sys.setrecursionlimit(1_000_000)
        threading.stack_size(1 << 29)
        result = {}
        thread = threading.Thread(target=lambda: result.update(
            zip(("solve", "build", "pairs"), matching_package(rows, capacity, args.matching_runs))))
        thread.start()
        thread.join()
        same = result["pairs"] == stable_pairs
        ok &= same
        print(f"  stable   ours {stable_s:.7f} s (proposals alone {proposals:.7f} s)  "
              f"matching {result['solve']:.6f} s (building its game, untimed: {result['build']:.1f} s)")
        print(f"           matching/ours = {result['solve'] / stable_s:.0f}x with our preference lists built in the "
              f"timed part, {result['solve'] / proposals:.0f}x like for like (target >= 100)  "
              f"same matching: {'yes' if same else 'NO'} ({len(stable_pairs)} pairs)")

    optimal_s, _, fit_sum, rank_sum, _ = ours(args.bin, args.candidates, args.capacities, "optimal", args.runs,
                                           args.candidates + ".optimal-matches.csv")
    ortools_s, (or_fit, or_rank) = ortools_flow(rows, capacity, args.runs)
    same = (fit_sum, rank_sum) == (or_fit, or_rank)
    ok &= same
    print(f"  optimal  ours {optimal_s:.6f} s  OR-Tools {ortools_s:.6f} s  "
          f"ours/OR-Tools = {optimal_s / ortools_s:.2f} (target <= 1.0)  "
          f"same sums: {'yes' if same else 'NO'} (fit {fit_sum / 1e6:.6f}, rank {rank_sum}; "
          f"OR-Tools fit {or_fit / 1e6:.6f}, rank {or_rank})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
