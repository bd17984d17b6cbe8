"""``KilnSampler``: Kiln's simulated annealing as a dimod sampler.

A drop-in for ``dwave.samplers.SimulatedAnnealingSampler`` (neal): the same
parameters (``num_reads``, ``num_sweeps``, ``beta_range``, ``seed``) and defaults (one
read of 1000 sweeps), sequential sweeps and geometric cooling; plus ``threads`` (0: one
per core), which never changes the samples, and ``default_range``. Without
``beta_range`` the temperatures are Kiln's own for the model (from the root-mean-square
local field of a random state down to a fifth of the smallest bias, as ``kiln run``
anneals a graph); ``default_range="neal"`` takes neal's default range instead. Each
read returns the best state it visited. Biases with decimals are annealed exactly in
scaled integers (``info["energy_scale"]``); ``info["exact_biases"]`` is False only
when a model needs more decimals than fit and was rounded.
"""

import random

import dimod
import numpy as np

from ._native import sample_ising as _sample_ising


class KilnSampler(dimod.Sampler):
    """Simulated annealing by Kiln, for any binary quadratic model."""

    parameters = {
        "num_reads": [],
        "num_sweeps": [],
        "beta_range": [],
        "seed": [],
        "threads": [],
        "default_range": ["kiln", "neal"],
    }

    properties = {
        "beta_range": "default: Kiln's own from the biases (default_range='neal': neal's)",
        "sites": "sequential sweeps",
        "schedule": "geometric",
    }

    def __init__(self):
        # Instances own their dicts (dimod's conformance tests check they are not shared).
        self.parameters = {name: list(v) for name, v in KilnSampler.parameters.items()}
        self.properties = dict(KilnSampler.properties)

    def sample(
        self, bqm, num_reads=None, num_sweeps=None, beta_range=None, seed=None, threads=0, default_range="kiln", **kwargs
    ):
        """Anneal ``bqm`` ``num_reads`` times (default 1) of ``num_sweeps`` sweeps
        (default 1000); returns a ``dimod.SampleSet`` with every read."""
        if kwargs:
            # dimod's remove_unknown_kwargs is what neal does: warn and drop.
            kwargs = self.remove_unknown_kwargs(**kwargs)
        num_reads = 1 if num_reads is None else int(num_reads)
        num_sweeps = 1000 if num_sweeps is None else int(num_sweeps)
        if num_reads < 1:
            raise ValueError(f"num_reads: must be at least 1, not {num_reads}")
        if num_sweeps < 1:
            raise ValueError(f"num_sweeps: must be at least 1, not {num_sweeps}")
        if seed is None:
            seed = random.randrange(2**32)
        if not (isinstance(seed, (int, np.integer)) and 0 <= seed < 2**64):
            raise ValueError(f"seed: must be a whole number from 0 to 2**64 - 1, not {seed!r}")
        if beta_range is not None:
            beta_range = tuple(float(b) for b in beta_range)
            if len(beta_range) != 2:
                raise ValueError(f"beta_range: must be two numbers (hot, cold), not {beta_range!r}")
        variables = list(bqm.variables)
        n = len(variables)
        # A QUBO goes over as it is: Kiln converts it to spins in exact integers.
        binary = bqm.vartype is dimod.BINARY
        if n:
            linear, (heads, tails, biases), offset = bqm.to_numpy_vectors(variable_order=variables)
        else:
            linear, heads, tails, biases, offset = [], [], [], [], bqm.offset
        raw, energies, (scale, exact, used_range) = _sample_ising(
            [float(x) for x in linear],
            [int(x) for x in heads],
            [int(x) for x in tails],
            [float(x) for x in biases],
            num_reads=num_reads,
            num_sweeps=num_sweeps,
            seed=int(seed),
            beta_range=beta_range,
            threads=int(threads),
            default_range=str(default_range),
            binary=binary,
        )
        samples = np.frombuffer(raw, dtype=np.int8).reshape(num_reads, n) if n else np.empty((num_reads, 0), np.int8)
        if binary:
            samples = (samples + 1) // 2
        info = {
            "beta_range": list(used_range),
            "energy_scale": scale,
            "exact_biases": exact,
            "seed": int(seed),
        }
        # `kiln_energy`: Kiln's own energy of each read (exact integers / scale + offset),
        # beside dimod's `energy` recomputed from the model: the two agree.
        kiln_energy = np.asarray(energies, dtype=float) + float(offset)
        return dimod.SampleSet.from_samples_bqm((samples, variables), bqm, info=info, kiln_energy=kiln_energy)
