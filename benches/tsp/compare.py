#!/usr/bin/env python3
"""Kiln's large steps against LKH-3 (the `elkai` package) on TSPLIB instances.

For each instance, in one run of this script:
  1. LKH-3, one run as `elkai` makes it (RUNS = 1, its default trials): its CPU time
     (process time, so the machine's other load does not count) and the length it
     ends at; this is "LKH's time" below. For reference also a second run told the
     optimum (OPTIMUM, STOP_AT_OPTIMUM), which stops as soon as it reaches it: the
     time LKH first holds the optimum.
  2. Kiln, seeds 1..SEEDS, each a run of the default large-step settings sized to
     LKH's CPU time (`cargo bench --bench tsp_pace`, one core, batch 1): the gap to
     the optimum at the end, the median over seeds, and the curve of gap against CPU
     time (the median over seeds of each run's best so far at fractions of the budget).

Run from the repository root (after `python3 -m venv /work/tours-venv &&
/work/tours-venv/bin/pip install elkai`):
    /work/tours-venv/bin/python benches/tsp/compare.py pcb442 pr1002
    /work/tours-venv/bin/python benches/tsp/compare.py --seeds 3 pcb442 pr1002 pr2392 pcb3038
Optional: --factor 2 sizes Kiln's runs to twice LKH's time; --lkh-seconds 3.6 skips
LKH and uses that time (for one instance); --moves 4 runs move set 4 instead of
the default; TSP_PACE_BIN=target/release/deps/tsp_pace-HASH
runs that binary instead of `cargo bench`.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

DATA = "/work/shared/data/tsplib"
FRACTIONS = [0.1, 0.25, 0.5, 0.75, 1.0]
# A built tsp_pace binary to run instead of `cargo bench` (so editing the sources
# while a long comparison runs cannot rebuild it halfway).
PACE_BIN = os.environ.get("TSP_PACE_BIN")


def read_tsplib(path):
    coords, in_coords = [], False
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("NODE_COORD_SECTION"):
                in_coords = True
            elif line.startswith("EOF"):
                break
            elif in_coords and line:
                _, x, y = line.split()[:3]
                coords.append((float(x), float(y)))
    return coords


def optimum_of(name):
    with open(os.path.join(DATA, "optimal.tsv")) as f:
        for line in f:
            fields = line.split()
            if fields[0] == name:
                return int(fields[3])
    raise SystemExit(f"{name}: no optimum in optimal.tsv")


def euc_2d(a, b):
    return int(math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) + 0.5)


def tour_length(coords, tour):
    return sum(euc_2d(coords[tour[i]], coords[tour[(i + 1) % len(tour)]]) for i in range(len(tour)))


def lkh(coords, optimum=None, seed=1):
    """One LKH-3 run, stopping at `optimum` if given: (CPU seconds, wall seconds, length)."""
    from elkai import _elkai

    params = f"RUNS = 1\nSEED = {seed}\nPROBLEM_FILE = :stdin:\n"
    if optimum is not None:
        params += f"OPTIMUM = {optimum}\nSTOP_AT_OPTIMUM = YES\n"
    problem = f"TYPE : TSP\nDIMENSION : {len(coords)}\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n"
    problem += "".join(f"{i + 1} {x} {y}\n" for i, (x, y) in enumerate(coords))
    cpu, wall = time.process_time(), time.perf_counter()
    tour = _elkai.solve_problem(params, problem)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu, wall, tour_length(coords, [c - 1 for c in tour])


def kiln(path, optimum, seed, seconds, moves=None):
    """One Kiln run sized to `seconds` of CPU (move set `moves`, else the default):
    (final record, trace records)."""
    command = [PACE_BIN] if PACE_BIN else ["cargo", "bench", "-q", "--bench", "tsp_pace", "--"]
    out = subprocess.run(
        command + [path, str(optimum), str(seed), f"{seconds:.3f}"] + ([str(moves)] if moves else []),
        check=True, capture_output=True, text=True,
    ).stdout
    records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return records[-1], records[:-1]


def gap_at(trace, t):
    """The best gap a run had reached by CPU time `t` (None before its first sample)."""
    seen = [r["gap_pct"] for r in trace if r["cpu_s"] <= t + 1e-9]
    return min(seen) if seen else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("instances", nargs="+")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--factor", type=float, default=1.0)
    ap.add_argument("--lkh-seconds", type=float)
    ap.add_argument("--moves", type=int, help="the large steps' move set (default: Kiln's default)")
    args = ap.parse_args()
    if not PACE_BIN:
        subprocess.run(["cargo", "bench", "-q", "--bench", "tsp_pace", "--no-run"], check=True)
    rows = []
    for name in args.instances:
        path = os.path.join(DATA, f"{name}.tsp")
        coords, optimum = read_tsplib(path), optimum_of(name)
        if args.lkh_seconds:
            lkh_cpu, lkh_wall, lkh_len = args.lkh_seconds, float("nan"), float("nan")
        else:
            lkh_cpu, lkh_wall, lkh_len = lkh(coords)
            first, _, first_len = lkh(coords, optimum)
            print(f"{name}: LKH-3 told the optimum reaches length {first_len} in {first:.2f} s CPU")
        print(f"{name}: LKH-3 one run {lkh_cpu:.2f} s CPU ({lkh_wall:.2f} s wall), length {lkh_len} "
              f"(optimum {optimum})", flush=True)
        budget = lkh_cpu * args.factor
        finals, traces = [], []
        for seed in range(1, args.seeds + 1):
            final, trace = kiln(path, optimum, seed, budget, args.moves)
            finals.append(final)
            traces.append(trace)
            print(f"  kiln seed {seed}: {final['steps']} steps, {final['cpu_s']:.2f} s CPU, "
                  f"best {final['best']:.0f}, gap {final['gap_pct']:.3f}%", flush=True)
        median = statistics.median(f["gap_pct"] for f in finals)
        curve = []
        for fraction in FRACTIONS:
            gaps = [g for g in (gap_at(tr, fraction * budget) for tr in traces) if g is not None]
            curve.append((fraction * budget, statistics.median(gaps) if gaps else None))
        print("  gap vs CPU time (median of seeds): " + ", ".join(
            f"{t:.1f} s {g:.3f}%" if g is not None else f"{t:.1f} s -" for t, g in curve), flush=True)
        rows.append((name, lkh_cpu, median, [f["gap_pct"] for f in finals]))
    print("\ninstance  LKH s CPU  Kiln gap at that CPU time (median)  seeds")
    for name, t, median, gaps in rows:
        print(f"{name:<9} {t:>9.2f}  {median:>8.3f}%  {' '.join(f'{g:.3f}%' for g in gaps)}")


if __name__ == "__main__":
    sys.exit(main())
