"""Make 2D +-J spin glasses with open boundaries and their exact ground energies.

Each instance: an L x L lattice, site (r, c) numbered r * L + c + 1, a bond to the right
and one down from every site (2 L (L - 1) bonds), couplings drawn uniformly from
{-1, +1} by Python's random.Random(seed). Written in Gset's format (`n m`, then
`i j w`, 1-based; E = sum w s_i s_j, h = 0) as glass_open_L{L}_r{seed}.txt.

The ground energy comes from an exact planar solver (dwave-samplers' PlanarGraphSolver,
minimum-weight perfect matching on the lattice drawn in the plane), checked by
recomputing E = sum w s_i s_j of the spins it returns; one line per instance is
printed for ground_states.tsv.

Run (in a venv with `pip install dwave-samplers dimod`):
    python3 make_glasses.py 16:101 16:102 24:103 24:104
    python3 make_glasses.py check glass_open_L16_s1.txt   (recompute a file's line)
"""

import random
import sys

import dimod
from dwave.samplers import PlanarGraphSolver


def bonds(L, seed):
    rng = random.Random(seed)
    out = []
    for r in range(L):
        for c in range(L):
            i = r * L + c + 1
            if c + 1 < L:
                out.append((i, i + 1, rng.choice((-1, 1))))
            if r + 1 < L:
                out.append((i, i + L, rng.choice((-1, 1))))
    return out


def ground_energy(L, edges):
    bqm = dimod.BinaryQuadraticModel.empty(dimod.SPIN)
    for i, j, w in edges:
        bqm.add_interaction(i, j, float(w))
    pos = {r * L + c + 1: (float(c), float(r)) for r in range(L) for c in range(L)}
    sample = PlanarGraphSolver().sample(bqm, pos).first.sample
    energy = sum(w * int(sample[i]) * int(sample[j]) for i, j, w in edges)
    assert energy == bqm.energy(sample), (energy, bqm.energy(sample))
    return energy


def read(name):
    with open(name) as f:
        n, _ = (int(x) for x in f.readline().split())
        edges = [tuple(int(x) for x in line.split()) for line in f if line.strip()]
    return int(round(n**0.5)), edges


def main(args):
    # The solver walks the planar embedding recursively.
    sys.setrecursionlimit(100_000)
    if args[:1] == ["check"]:
        for name in args[1:]:
            L, edges = read(name)
            print(f"{name}\t{L}\t{len(edges)}\t{int(ground_energy(L, edges))}")
        return
    for arg in args:
        L, seed = (int(x) for x in arg.split(":"))
        edges = bonds(L, seed)
        name = f"glass_open_L{L}_r{seed}.txt"
        with open(name, "w") as f:
            f.write(f"{L * L} {len(edges)}\n")
            for i, j, w in edges:
                f.write(f"{i} {j} {w}\n")
        print(f"{name}\t{L}\t{len(edges)}\t{int(ground_energy(L, edges))}")


if __name__ == "__main__":
    main(sys.argv[1:])
