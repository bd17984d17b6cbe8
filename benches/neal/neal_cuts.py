#!/usr/bin/env python3
"""dwave-neal's best cut on a Gset-format graph for several seeds, one JSON line per seed.

Usage: neal_cuts.py GRAPH [SEEDS] [SWEEPS] [READS]   (pip install dwave-samplers dimod numpy)
Same reading as neal_bench.py (J_ij = w_ij, h = 0, cut = (W - E) / 2), same default
size (1,000 sweeps x 10 reads); each line gives neal's own sampling time, so Kiln can
be given the same wall time on the same graph (benches/neal/compare.sh).
"""
import json, sys, time
import dimod
from dwave.samplers import SimulatedAnnealingSampler

path = sys.argv[1]
seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
sweeps = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
reads = int(sys.argv[4]) if len(sys.argv) > 4 else 10
with open(path) as f:
    n, m = map(int, f.readline().split())
    J = {}
    for line in f:
        if line.strip():
            i, j, w = line.split()
            J[(int(i) - 1, int(j) - 1)] = float(w)
W = sum(J.values())
bqm = dimod.BinaryQuadraticModel.from_ising({i: 0.0 for i in range(n)}, J)
sampler = SimulatedAnnealingSampler()
for seed in range(1, seeds + 1):
    t0 = time.perf_counter()
    ss = sampler.sample(bqm, num_sweeps=sweeps, num_reads=reads, seed=seed)
    wall = time.perf_counter() - t0
    samp = ss.info["timing"]["sampling_ns"] / 1e9 if "timing" in ss.info else wall
    e = ss.first.energy
    print(json.dumps({"graph": path, "seed": seed, "sampling_s": samp, "wall_s": wall,
                      "best_energy": e, "cut": round((W - e) / 2)}))
