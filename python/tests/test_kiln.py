"""Tests of the Python package: dimod's own sampler conformance tests for KilnSampler,
quality against neal (dwave-samplers) at neal's default sizes, determinism over
thread counts, exact energies of real-valued models against dimod's ``bqm.energy``,
ground states against exhaustive enumeration (``dimod.ExactSolver``), and ``kiln.run``.
"""

import pathlib
import random
import unittest

import dimod
import numpy as np
import pytest
from dimod.testing import load_sampler_bqm_tests
from dimod.testing.asserts import assert_sampler_api

import kiln
from kiln import KilnSampler

ROOT = pathlib.Path(__file__).resolve().parents[2]


@load_sampler_bqm_tests(KilnSampler)
class TestConformance(unittest.TestCase):
    """dimod's generated tests: every kind of BQM (empty, one variable, labels of mixed
    types, SPIN and BINARY) gives a well-formed SampleSet."""

    def test_sampler_api(self):
        assert_sampler_api(KilnSampler())


def read_gset(path):
    """A Gset-format file as a SPIN BQM in dimod's convention, J_ij = w (E = sum w s s)."""
    lines = pathlib.Path(path).read_text().split("\n")
    n, _m = map(int, lines[0].split())
    J = {}
    for line in lines[1:]:
        if line.strip():
            i, j, w = line.split()
            J[(int(i) - 1, int(j) - 1)] = float(w)
    return dimod.BinaryQuadraticModel({i: 0.0 for i in range(n)}, J, 0.0, dimod.SPIN)


@pytest.mark.parametrize("path", ["benches/neal/sparse1000.txt", "engine/data/gset/G1.txt"])
def test_best_energy_at_neals_default_sizes_is_at_least_neals(path):
    from dwave.samplers import SimulatedAnnealingSampler

    bqm = read_gset(ROOT / path)
    # neal's default sizes: 1000 sweeps a read; eight reads each, the same seeds.
    neal = SimulatedAnnealingSampler().sample(bqm, num_reads=8, seed=7).first.energy
    ours = KilnSampler().sample(bqm, num_reads=8, seed=7).first.energy
    assert ours <= neal, f"{path}: kiln {ours}, neal {neal}"


def test_one_seed_gives_identical_samplesets_on_one_and_two_threads():
    bqm = read_gset(ROOT / "benches/neal/sparse1000.txt")
    a = KilnSampler().sample(bqm, num_reads=6, num_sweeps=200, seed=11, threads=1)
    b = KilnSampler().sample(bqm, num_reads=6, num_sweeps=200, seed=11, threads=2)
    c = KilnSampler().sample(bqm, num_reads=6, num_sweeps=200, seed=11)
    for other in (b, c):
        assert np.array_equal(a.record.sample, other.record.sample)
        assert np.array_equal(a.record.energy, other.record.energy)
    d = KilnSampler().sample(bqm, num_reads=6, num_sweeps=200, seed=12, threads=2)
    assert not np.array_equal(a.record.sample, d.record.sample)


def random_bqm(n, vartype, seed):
    rng = random.Random(seed)
    linear = {v: round(rng.uniform(-2, 2), 3) for v in range(n)}
    quadratic = {(u, v): round(rng.uniform(-1.5, 1.5), 2) for u in range(n) for v in range(u + 1, n) if rng.random() < 0.4}
    return dimod.BinaryQuadraticModel(linear, quadratic, round(rng.uniform(-3, 3), 4), vartype)


@pytest.mark.parametrize("vartype", [dimod.SPIN, dimod.BINARY])
def test_kilns_energy_of_each_read_equals_dimods(vartype):
    bqm = random_bqm(40, vartype, seed=3)
    sampleset = KilnSampler().sample(bqm, num_reads=5, num_sweeps=300, seed=1)
    assert sampleset.info["exact_biases"]
    for row in sampleset.data(["sample", "energy", "kiln_energy"]):
        assert row.kiln_energy == pytest.approx(bqm.energy(row.sample), abs=1e-9)
        assert row.energy == pytest.approx(bqm.energy(row.sample), abs=1e-9)


@pytest.mark.parametrize("n,vartype,seed", [(12, dimod.SPIN, 1), (16, dimod.BINARY, 2), (20, dimod.SPIN, 3)])
def test_ground_state_of_small_models_equals_exhaustive_enumeration(n, vartype, seed):
    bqm = random_bqm(n, vartype, seed)
    exact = dimod.ExactSolver().sample(bqm).first.energy
    ours = KilnSampler().sample(bqm, num_reads=10, seed=5).first.energy
    assert ours == pytest.approx(exact, abs=1e-9)


def test_sample_ising_takes_h_and_j_and_returns_every_read():
    h = {"a": 0.5, "b": -0.25}
    J = {("a", "b"): -1.0, ("b", "c"): 0.75}
    sampleset = kiln.sample_ising(h, J, num_reads=7, num_sweeps=100, seed=3)
    assert len(sampleset) == 7
    assert set(sampleset.variables) == {"a", "b", "c"}
    # Ground energy by enumeration over 8 states: -2 at a = b = -1, c = +1.
    assert sampleset.first.energy == pytest.approx(-2.0)


def test_run_returns_the_json_result_with_the_best_state():
    result = kiln.run(problem="isomer", formula="C7H16", steps=20000, seed=4)
    assert result["problem"] == "isomer"
    assert isinstance(result["best_state"], str)
    assert result["kiln_version"] == kiln.__version__
    one = kiln.run(problem="magnet", lattice=8, steps=64 * 300, threads=1)
    two = kiln.run(problem="magnet", lattice=8, steps=64 * 300, threads=2)
    assert one["best_state"] == two["best_state"] and len(one["best_state"]) == 64
    with pytest.raises(ValueError, match="formula"):
        kiln.run(problem="isomer", formula="C8X")
