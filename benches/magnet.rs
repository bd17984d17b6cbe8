//! The magnet against D-Wave's neal: spin-flip speed and cut quality at equal time.
//!
//! A plain bench binary (`harness = false`); `benches/neal/compare.sh` runs it next to
//! neal in one go, so the two are measured side by side on the same machine state.
//!
//! * `rate [GRAPH]`: spin-flip attempts per second on one core, the size of neal's
//!   default run: 1,000 sweeps x 10 reads (10 annealing runs, seeds 1..=10, of
//!   1,000 sweeps each) on `benches/neal/sparse1000.txt` read with the `graph`
//!   instance, h = 0, batch 1, the default graph schedule, once with sequential
//!   sweeps (neal's order) and once with random sites (the default). Best of 3, as
//!   neal_bench.py reports, by wall time; and the least CPU time of the three (the
//!   thread's own, as the scheduler counts it), which a busy machine inflates far less
//!   than wall time. Then it re-runs read 1 of each and checks every
//!   checkpoint is bit-identical (the speed is not bought with reproducibility).
//!   The magnet's default generator (`Magnet::default_config`'s, chacha8), or the one
//!   named third (`rate benches/neal/sparse1000.txt splitmix64`); each line names it.
//! * `cut GRAPH SECONDS SEED`: Kiln's best cut on a Gset graph in a run of the default
//!   shape (its cycles and temperatures, batch 1, sequential sweeps as neal's) sized
//!   to take SECONDS on one core: steps per second is measured on a short
//!   calibration run of the same graph first.
//!
//! * `once GRAPH SITES SWEEPS [GENERATOR]`: one read (seed 1) of SWEEPS sweeps with
//!   `SITES` (`random` or `sequential`), printing its best energy: a fixed amount of
//!   work for `valgrind --tool=callgrind`, whose instructions per attempt are the
//!   difference of two such runs (say 1,000 and 0 sweeps) over the attempts between them.
//!
//! Run: `cargo bench --bench magnet -- rate` or `-- cut G1 0.54 1`.

use std::time::Instant;

use kiln_engine::problems::magnet::{Magnet, Sites};
use kiln_engine::replay::{first_divergence, record_checkpoints};
use kiln_engine::{AnnealConfig, Annealer, Batch, Generator};

const SWEEPS: u64 = 1_000;
const READS: u64 = 10;

/// One cycle of `steps` with the default temperatures (one read, as neal's).
fn config(magnet: &Magnet, seed: u64, steps: u64) -> AnnealConfig {
    AnnealConfig { steps_per_cycle: steps, cycles: 1, batch: Batch::Fixed(1), ..magnet.default_config(seed) }
}

/// `rate`'s runs: the default generator unless one is named.
fn rate(path: &str, generator: Option<Generator>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let magnet = Magnet::parse_graph(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    for sites in [Sites::Sequential, Sites::Random] {
        rate_of(path, &magnet.clone().with_sites(sites), generator);
    }
}

fn rate_of(path: &str, magnet: &Magnet, generator: Option<Generator>) {
    let sites = magnet.sites().name();
    let config = |seed, steps| {
        let config = config(magnet, seed, steps);
        AnnealConfig { generator: generator.unwrap_or(config.generator), ..config }
    };
    let generator = config(1, 1).generator.name();
    let n = magnet.len() as u64;
    let steps = SWEEPS * n;
    let mut best: Option<(f64, f64)> = None;
    let mut cpu: Option<f64> = None;
    for _ in 0..3 {
        let started = Instant::now();
        let cpu_started = thread_cpu_seconds();
        let mut best_energy = f64::INFINITY;
        for seed in 1..=READS {
            let mut sa = Annealer::new(magnet.clone(), config(seed, steps)).unwrap();
            sa.run(steps);
            best_energy = best_energy.min(sa.best_energy());
        }
        let secs = started.elapsed().as_secs_f64();
        if let (Some(end), Some(start)) = (thread_cpu_seconds(), cpu_started) {
            cpu = Some(cpu.map_or(end - start, |c: f64| c.min(end - start)));
        }
        if best.is_none_or(|(s, _)| secs < s) {
            best = Some((secs, best_energy));
        }
    }
    let (secs, energy) = best.expect("three timings");
    let cpu = cpu.map_or_else(|| "unknown".to_string(), |c| format!("{c:.3} s"));
    let attempts = steps * READS;
    let cut = magnet.cut(energy).expect("a graph has a cut");
    println!(
        "kiln {path}: n={n} m={} sweeps={SWEEPS} reads={READS} sites={sites} generator={generator}: {:.1} M attempts/s (time {secs:.3} s); best E = {energy}, cut = {cut}; cpu {cpu}",
        magnet.edges(),
        attempts as f64 / secs / 1e6,
    );
    let replay = || {
        let mut sa = Annealer::new(magnet.clone(), config(1, steps)).unwrap();
        record_checkpoints(&mut sa, steps / 10, |_| {})
    };
    let (a, b) = (replay(), replay());
    match first_divergence(&a, &b) {
        None => {
            println!("kiln {path}: sites={sites} read 1 re-run: all {} checkpoints bit-identical", a.len())
        }
        Some(d) => panic!("read 1 re-run diverged: {d}"),
    }
}

/// CPU time this thread has run, in seconds: the scheduler's own count
/// (`/proc/thread-self/schedstat`, nanoseconds, Linux), which time slices lost to other
/// processes do not inflate as they do wall time. `None` where the file is missing.
fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(nanos as f64 / 1e9)
}

fn once(path: &str, sites: &str, sweeps: u64, generator: Option<Generator>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let sites = match sites {
        "random" => Sites::Random,
        "sequential" => Sites::Sequential,
        _ => panic!("SITES is random or sequential"),
    };
    let magnet = Magnet::parse_graph(&text).unwrap_or_else(|e| panic!("{path}: {e}")).with_sites(sites);
    let steps = sweeps * magnet.len() as u64;
    let config = config(&magnet, 1, steps.max(1));
    let config = AnnealConfig { generator: generator.unwrap_or(config.generator), ..config };
    let mut sa = Annealer::new(magnet, config).unwrap();
    sa.run(steps);
    println!("{path}: sites={} sweeps={sweeps}: best E = {}", sites.name(), sa.best_energy());
}

fn generator_named(name: &str) -> Generator {
    serde_json::from_value(name.into())
        .expect("GENERATOR is chacha8, philox4x32-10 or splitmix64, as in records")
}

fn cut(name: &str, seconds: f64, seed: u64) {
    let magnet = Magnet::gset(name).unwrap_or_else(|e| panic!("{e}")).with_sites(Sites::Sequential);
    let calibration = 2_000 * magnet.len() as u64;
    let started = Instant::now();
    let mut sa = Annealer::new(magnet.clone(), config(&magnet, seed, calibration)).unwrap();
    sa.run(calibration);
    let per_second = calibration as f64 / started.elapsed().as_secs_f64();
    let cycles = magnet.default_config(seed).cycles;
    let steps = (per_second * seconds) as u64 / cycles * cycles;
    let started = Instant::now();
    let shape = AnnealConfig { steps_per_cycle: steps / cycles, cycles, ..config(&magnet, seed, 1) };
    let mut sa = Annealer::new(magnet.clone(), shape).unwrap();
    sa.run(steps);
    let secs = started.elapsed().as_secs_f64();
    let cut = magnet.cut(sa.best_energy()).expect("a graph has a cut");
    println!(
        "{{\"graph\": \"{name}\", \"seed\": {seed}, \"budget_s\": {seconds}, \"time_s\": {secs:.3}, \"sweeps\": {}, \"cut\": {cut}}}",
        steps / magnet.len() as u64
    );
}

fn main() {
    // cargo passes `--bench`; everything else is ours.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args[..] {
        [] | ["rate"] => rate("benches/neal/sparse1000.txt", None),
        ["rate", path] => rate(path, None),
        ["rate", path, generator] => rate(path, Some(generator_named(generator))),
        ["once", path, sites, sweeps, ref generator @ ..] if generator.len() <= 1 => once(
            path,
            sites,
            sweeps.parse().expect("SWEEPS is a whole number"),
            generator.first().map(|g| generator_named(g)),
        ),
        ["cut", name, seconds, seed] => cut(
            name,
            seconds.parse().expect("SECONDS is a number"),
            seed.parse().expect("SEED is a whole number"),
        ),
        _ => eprintln!(
            "usage: magnet [rate [GRAPH [GENERATOR]] | once GRAPH SITES SWEEPS [GENERATOR] | cut GSET SECONDS SEED]"
        ),
    }
}
