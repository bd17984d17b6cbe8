"""Kiln from Python: simulated annealing of Ising models and QUBOs, and any Kiln problem.

* ``kiln.sample_ising(h, J, num_reads=..., num_sweeps=..., seed=...)`` and
  ``kiln.sample_qubo(Q, ...)`` return a dimod ``SampleSet`` with every read.
* ``kiln.KilnSampler`` is a dimod sampler, a drop-in for neal's
  ``SimulatedAnnealingSampler`` (same parameters and defaults: one read of 1000 sweeps).
* ``kiln.run(problem=..., **params)`` runs any Kiln problem and returns the result of
  ``kiln run --json`` as a dict, with ``best_state``.

Energies follow dimod's convention, E = sum_i h_i s_i + sum_(i<j) J_ij s_i s_j (minimised).
Reads run in parallel over the machine's cores; one seed gives the same samples on any
number of threads.
"""

import json
import os

from ._native import run_json as _run_json
from ._native import version as _version
from .sampler import KilnSampler

__all__ = ["KilnSampler", "sample_ising", "sample_qubo", "run", "__version__"]

__version__ = _version()


def sample_ising(h, J, num_reads=1, num_sweeps=1000, seed=None, **params):
    """Sample the Ising model ``h`` (dict or list of linear biases), ``J`` (dict of
    ``(u, v): bias``); returns a ``dimod.SampleSet`` with one row per read."""
    return KilnSampler().sample_ising(h, J, num_reads=num_reads, num_sweeps=num_sweeps, seed=seed, **params)


def sample_qubo(Q, num_reads=1, num_sweeps=1000, seed=None, **params):
    """Sample the QUBO ``Q`` (dict of ``(u, v): bias``, ``(u, u)`` for linear terms)."""
    return KilnSampler().sample_qubo(Q, num_reads=num_reads, num_sweeps=num_sweeps, seed=seed, **params)


def run(problem=None, **params):
    """Run a Kiln problem, e.g. ``kiln.run(problem="tsp", instance="berlin52", steps=10**6)``.

    Parameters are those of ``kiln run --param NAME=VALUE`` (see ``kiln run --help``),
    plus ``steps`` (total over all cycles) and ``threads``. A file parameter
    (``tsplib``, ``graph``) takes the file's text, or an ``os.PathLike`` to read.
    Returns the JSON result as a dict (fields in docs/json.md), ``best_state`` included.
    Bad parameters raise ``ValueError`` naming the parameter.
    """
    values = {}
    if problem is not None:
        values["problem"] = problem
    for name, value in params.items():
        if isinstance(value, os.PathLike):
            with open(value, encoding="utf-8") as f:
                value = f.read()
        values[name] = value
    return json.loads(_run_json(json.dumps(values)))
