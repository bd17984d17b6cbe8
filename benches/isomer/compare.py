"""Kiln's `kiln run` on isomers next to the original app's engine, in one run on one core.

Issue 25's isomer benchmark. Three rounds, alternating, each:
  1. the original app's engine (webfaulon_rate.py): C10H22, 3,000 steps;
  2. the whole `kiln run --problem isomer --formula C10H22 --steps 20000000 --batch 1
     --threads 1` process, and the same for C30H62 with --steps 5000000.
Kiln's rate is steps over the process's wall time (start to exit, parsing and
output included) and over its CPU time (user + system, from the kernel's rusage of
the child); the peer's over its step loop's wall and CPU time. Both sides are
pinned to CPU 0 with taskset when it exists. The ratios per round and their spread
are printed at the end; on a machine other work shares, the CPU-time ratio is the
steadier one.

Run from the repository root with the peer's Python (rdkit, pydantic, pydantic-settings):
    WEBFAULON_BACKEND=/path/to/webfaulon/backend .venv/bin/python benches/isomer/compare.py
after `cargo build --release --bin kiln` (or KILN_BIN=path/to/kiln).
"""
import os
import re
import resource
import shutil
import subprocess
import sys
import time

KILN = os.environ.get("KILN_BIN", "target/release/kiln")
PIN = ["taskset", "-c", "0"] if shutil.which("taskset") else []
HERE = os.path.dirname(os.path.abspath(__file__))
ROUNDS = 3
KILN_RUNS = [("C10H22", 20_000_000), ("C30H62", 5_000_000)]


def peer():
    out = subprocess.run(
        PIN + [sys.executable, os.path.join(HERE, "webfaulon_rate.py"), "C10H22", "3000"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    print(out, flush=True)
    wall = float(re.search(r"steps_per_s=([0-9.]+)", out).group(1))
    cpu = float(re.search(r"cpu_steps_per_s=([0-9.]+)", out).group(1))
    return wall, cpu


def kiln(formula, steps):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        PIN + [KILN, "run", "--problem", "isomer", "--formula", formula, "--steps", str(steps),
               "--batch", "1", "--threads", "1"],
        check=True, capture_output=True, text=True,
    ).stdout
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    best = re.search(r"best energy\s+(\S+)", out).group(1)
    print(f"kiln {formula} steps={steps} wall={wall:.3f}s {steps / wall / 1e6:.2f} M steps/s "
          f"cpu={cpu:.3f}s {steps / cpu / 1e6:.2f} M steps/s best={best}", flush=True)
    return steps / wall, steps / cpu


rows = []
for _ in range(ROUNDS):
    rows.append((peer(), {f: kiln(f, s) for f, s in KILN_RUNS}))

for i, label in ((0, "wall-time"), (1, "cpu-time")):
    ratios = [k["C10H22"][i] / p[i] for p, k in rows]
    c30 = [k["C30H62"][i] / 1e6 for _, k in rows]
    print(f"{label}: kiln C10H22 / webfaulon C10H22 = " + ", ".join(f"{r:.0f}x" for r in ratios)
          + f" (min {min(ratios):.0f}x, max {max(ratios):.0f}x); kiln C30H62 "
          + ", ".join(f"{r:.2f}" for r in c30) + " M steps/s")
