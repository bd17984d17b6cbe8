#!/bin/sh
# Kiln's magnet next to D-Wave's neal, in one run on one core (issue 13's benchmark).
#
# 1. Spin-flip attempts per second on sparse1000.txt (1,000 spins, 1,500 edges, h = 0),
#    1,000 sweeps x 10 reads each: neal_bench.py (neal's own sampling time), then Kiln
#    with sequential sweeps (neal's order) and with random sites; twice, alternating,
#    as the machine's load drifts. Rates by wall time (neal's sampling time, Kiln's
#    clock) and by CPU time (what each process or thread actually ran, which other
#    processes sharing the core do not inflate).
# 2. Best cut at equal wall time on G1 and G22, seeds 1..5: neal's default-sized run
#    (1,000 sweeps x 10 reads) per seed, then one Kiln run (sequential sweeps) given
#    neal's sampling time.
#    The medians are printed at the end.
#
# Needs: pip install dwave-samplers dimod numpy (in the python3 on PATH, or in the
# interpreter named by $NEAL_PYTHON, e.g. a venv's bin/python). Run from the repository root:
#    sh benches/neal/compare.sh
# Both sides are pinned to CPU 0 with taskset when it exists (neal is single-threaded;
# Kiln runs batch 1). About a minute in all.
set -eu
cd "$(dirname "$0")/../.."
py=${NEAL_PYTHON:-python3}
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"
cargo bench --bench magnet --no-run -q 2>/dev/null || cargo bench --bench magnet --no-run
bench=$(ls -t target/release/deps/magnet-* | grep -v '\.d$' | head -1)

tmp=$(mktemp)
rates=$(mktemp)
trap 'rm -f "$tmp" "$rates"' EXIT

echo "== spin-flip attempts per second, sparse1000, 1,000 sweeps x 10 reads, one core"
echo "   (Kiln with the magnet's default generator, named as generator= on its lines)"
for _ in 1 2; do
    $pin "$py" benches/neal/neal_bench.py benches/neal/sparse1000.txt 1000 10 | tee -a "$rates"
    $pin "$bench" rate benches/neal/sparse1000.txt | tee -a "$rates"
done
python3 - "$rates" <<'PY'
import re, sys
rate = lambda l: float(re.search(r"([0-9.]+) M attempts/s", l).group(1))
def cpu_rate(l):
    # Attempts over the CPU time both sides print last: n x sweeps x reads / seconds.
    n, sweeps, reads = (int(re.search(rf"{k}=([0-9]+)", l).group(1)) for k in ("n", "sweeps", "reads"))
    cpu = re.search(r"cpu ([0-9.]+) s", l)
    return round(n * sweeps * reads / float(cpu.group(1)) / 1e6, 1) if cpu else float("nan")
lines = [l for l in open(sys.argv[1]) if "M attempts/s" in l]
for label, measure in (("wall-time", rate), ("cpu-time", cpu_rate)):
    neal = [measure(l) for l in lines if l.startswith("neal")]
    for sites in ("sequential", "random"):
        kiln = [measure(l) for l in lines if l.startswith("kiln") and f"sites={sites}" in l]
        print(f"{label} rate kiln/neal, {sites} sites: " + ", ".join(f"{k / n:.2f}" for k, n in zip(kiln, neal))
              + f" (kiln {kiln} M/s, neal {neal} M/s, alternating runs)")
PY

for g in G1 G22; do
    echo "== $g: best cut at equal time, seeds 1..5"
    $pin "$py" benches/neal/neal_cuts.py "engine/data/gset/$g.txt" 5 | sed 's/^/neal /' | tee -a "$tmp"
    grep "^neal .*$g.txt" "$tmp" | while read -r _ line; do
        seed=$(echo "$line" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seed"])')
        secs=$(echo "$line" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sampling_s"])')
        $pin "$bench" cut "$g" "$secs" "$seed" | sed 's/^/kiln /' | tee -a "$tmp"
    done
done

python3 - "$tmp" <<'PY'
import json, statistics, sys
rows = [(l.split(" ", 1)[0], json.loads(l.split(" ", 1)[1])) for l in open(sys.argv[1])]
for g in ("G1", "G22"):
    neal = [r for who, r in rows if who == "neal" and r["graph"].endswith(g + ".txt")]
    kiln = [r for who, r in rows if who == "kiln" and r["graph"] == g]
    print(f"{g}: median cut neal {statistics.median(r['cut'] for r in neal)} "
          f"(median sampling {statistics.median(r['sampling_s'] for r in neal):.3f} s), "
          f"kiln {statistics.median(r['cut'] for r in kiln)} "
          f"(median time {statistics.median(r['time_s'] for r in kiln):.3f} s)")
PY
