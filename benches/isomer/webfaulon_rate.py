"""The original app's SA engine (steinbeck/webfaulon, backend/), steps per second.

The team's peer script (shared/peers/webfaulon_engine.py) with one addition: beside
the steps per second over wall time (`time.perf_counter`, as the peer prints it) it
prints them over the process's CPU time (`time.process_time`) for the same loop,
which other processes sharing the core do not inflate.

Usage: WEBFAULON_BACKEND=/path/to/webfaulon/backend python webfaulon_rate.py [FORMULA] [STEPS]
(the backend needs rdkit, pydantic and pydantic-settings).
"""
import os
import sys
import time

sys.path.insert(0, os.environ["WEBFAULON_BACKEND"])  # folder holding the original app's backend/
from app.models.sa_params import SAParams  # noqa: E402
from app.core.sa_engine import SAEngine  # noqa: E402

formula = sys.argv[1] if len(sys.argv) > 1 else "C10H22"
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
p = SAParams(formula=formula, initial_temp=100, cooling_schedule_k=8, steps_per_cycle=steps, num_cycles=1, seed=42)
e = SAEngine(p)
e.init()
t, c = time.perf_counter(), time.process_time()
for _ in range(steps):
    e.step()
dt, dc = time.perf_counter() - t, time.process_time() - c
s = e.get_state()
print(
    f"webfaulon {formula} steps={steps} time={dt:.3f}s steps_per_s={steps / dt:.0f} "
    f"cpu={dc:.3f}s cpu_steps_per_s={steps / dc:.0f} best={s.best_energy}"
)
