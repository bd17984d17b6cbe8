#!/usr/bin/env python3
"""dwave-neal's best cut on a Gset-format graph for several seeds, one JSON line per seed.

Usage: neal_cuts.py GRAPH [SEEDS] [SWEEPS] [READS]   (pip install dwave-samplers dimod numpy)
The reading and the timed run are neal_bench.py's own (imported: J_ij = w_ij, h = 0,
cut = (W - E) / 2), at the same default size (1,000 sweeps x 10 reads); each line gives
neal's own sampling time, so Kiln can be given the same wall time on the same graph
(benches/neal/compare.sh).
"""
import json, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from neal_bench import SimulatedAnnealingSampler, read_ising, timed_sample  # noqa: E402

path = sys.argv[1]
seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
sweeps = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
reads = int(sys.argv[4]) if len(sys.argv) > 4 else 10
n, m, W, bqm = read_ising(path)
sampler = SimulatedAnnealingSampler()
for seed in range(1, seeds + 1):
    samp, wall, e, _ = timed_sample(sampler, bqm, sweeps, reads, seed)
    print(json.dumps({"graph": path, "seed": seed, "sampling_s": samp, "wall_s": wall,
                      "best_energy": e, "cut": round((W - e) / 2)}))
