//! Replica exchange: parallel speed, and quality against annealing at equal wall time.
//!
//! A plain bench binary (`harness = false`), quoting ratios measured side by side in
//! one run, never asserting wall time.
//!
//! * `rate`: replica steps per second of a tempering run on G22 (2,000 spins, 24
//!   replicas, an exchange round every sweep, 1,000 sweeps per replica) on 1 and on 2
//!   threads, interleaved (1, 2, 1, 2, ...) three times each, best of each, and the
//!   ratio. The two runs' final checkpoints must be identical (speed is not bought
//!   with reproducibility).
//! * `quality [NAME..]`: for each instance (default: the three glasses of
//!   `engine/tests/data/ising`, G1, G2, G3, G11, G14, G22), seeds 1..=5: tempering at
//!   the budget of `tests/tempering_ground_states.rs` (the magnet kind's defaults
//!   with `method: tempering`: 24 replicas on the tuned ladder, about 60 sweeps per
//!   spin a replica, a round every 1,000 steps), timed; then annealing (the magnet's default
//!   config, its cycles and temperatures) sized to take the same wall time, from a
//!   calibration run's steps per second. Prints each seed's energies (and cuts) and
//!   the medians, and the tempering run's seconds. What it compares is what a user
//!   gets from the same wait: tempering's replicas on every core (2 here) against one
//!   annealing chain with the magnet's defaults (batch `auto`: the second core only
//!   scores speculative proposals while few are accepted), so annealing has about
//!   half the useful CPU time; a machine loaded by others takes more from the
//!   two-thread run, which favours annealing.
//!
//! * `probe NAME [replicas=R hot=T cold=T sweeps=S seconds=S interval=I ladder=geometric seeds=K first=S]`:
//!   the default budget with settings replaced, and each seed's ladder numbers;
//!   `seconds=60` sizes the sweeps to a minute here (the 60 s cuts of issue 27:
//!   `probe G14 seconds=60 seeds=5` on a quiet machine).
//! * `anneal NAME [share=F seeds=K first=S]`: the annealing opponent of `quality`
//!   given a fixed share of the tempering budget's replica steps instead of a timed
//!   wall time.
//!
//! Run: `cargo bench --bench tempering -- rate` or `-- quality G14 G22`.

use std::time::Instant;

use kiln::kinds::{Registry, Request, Scope};
use kiln_engine::problems::magnet::Magnet;
use kiln_engine::{AnnealConfig, Annealer, Batch, Tempering, TemperingConfig};
use serde_json::{Value, json};

const GLASSES: [(&str, f64); 3] = [
    ("glass_open_L16_s1.txt", -340.0),
    ("glass_open_L24_s2.txt", -782.0),
    ("glass_open_L32_s3.txt", -1428.0),
];

fn glass(file: &str) -> Magnet {
    let path = format!("{}/engine/tests/data/ising/{file}", env!("CARGO_MANIFEST_DIR"));
    Magnet::parse_graph(&std::fs::read_to_string(path).expect("glass instance")).expect("valid graph")
}

fn rate() {
    let magnet = Magnet::gset("G22").expect("bundled");
    let sweep = magnet.len() as u64;
    let config = |threads| AnnealConfig {
        steps_per_cycle: 1_000 * sweep,
        cycles: 1,
        threads,
        batch: Batch::Fixed(1),
        tempering: Some(TemperingConfig {
            replicas: 24,
            exchange_interval: sweep,
            ..TemperingConfig::default()
        }),
        ..magnet.default_config(1)
    };
    let replica_steps = 24.0 * 1_000.0 * sweep as f64;
    let mut best = [f64::INFINITY; 2];
    let mut checkpoints = [None, None];
    for _ in 0..3 {
        for (k, threads) in [1usize, 2].into_iter().enumerate() {
            let mut pt = Tempering::new(magnet.clone(), config(threads)).expect("valid");
            let started = Instant::now();
            pt.run(u64::MAX);
            best[k] = best[k].min(started.elapsed().as_secs_f64());
            checkpoints[k] = Some(pt.checkpoint());
        }
    }
    assert_eq!(checkpoints[0], checkpoints[1], "1 and 2 threads must end at the same checkpoint");
    let per_sec = |s: f64| replica_steps / s;
    println!("tempering G22, 24 replicas, 1,000 sweeps each, a round every sweep (best of 3, interleaved)");
    println!("1 thread : {:>12.0} replica steps/s ({:.3} s)", per_sec(best[0]), best[0]);
    println!("2 threads: {:>12.0} replica steps/s ({:.3} s)", per_sec(best[1]), best[1]);
    println!("speed-up : {:.2}x, identical final checkpoint", best[0] / best[1]);
}

/// Best energy of an annealing run of the instance's default shape sized to `seconds`.
fn anneal_for(magnet: &Magnet, seed: u64, seconds: f64, steps_per_sec: f64) -> f64 {
    let base = magnet.default_config(seed);
    let steps = (seconds * steps_per_sec) as u64;
    let per_cycle = (steps / base.cycles).max(1);
    let mut sa =
        Annealer::new(magnet.clone(), AnnealConfig { steps_per_cycle: per_cycle, ..base }).expect("valid");
    sa.run(u64::MAX);
    sa.best_energy()
}

/// Annealing steps per second on this instance (a 3 million step default-shaped run).
fn calibrate(magnet: &Magnet) -> f64 {
    let steps = 3_000_000;
    let config = AnnealConfig { steps_per_cycle: steps, cycles: 1, ..magnet.default_config(99) };
    let mut sa = Annealer::new(magnet.clone(), config).expect("valid");
    let started = Instant::now();
    sa.run(u64::MAX);
    steps as f64 / started.elapsed().as_secs_f64()
}

/// The budget of the tests, for every instance: the magnet kind's default with
/// `method: tempering` and nothing else, as `kiln run --method tempering` resolves it
/// (`tests/tempering_ground_states.rs`).
fn budget(name: &str, seed: u64) -> AnnealConfig {
    let instance = if name.starts_with('G') {
        json!({"gset": name})
    } else {
        let path = format!("{}/engine/tests/data/ising/{name}", env!("CARGO_MANIFEST_DIR"));
        json!({"graph": std::fs::read_to_string(path).expect("glass instance")})
    };
    let mut values = json!({"problem": "magnet", "method": "tempering", "seed": seed});
    values.as_object_mut().unwrap().extend(instance.as_object().unwrap().clone());
    let Value::Object(map) = values else { unreachable!() };
    Registry::builtin().resolve(&Request::from_map(map, Scope::Headless)).expect("the kind's default").config
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn quality(names: &[String]) {
    let default: Vec<String> = GLASSES
        .iter()
        .map(|g| g.0.to_string())
        .chain(["G1", "G2", "G3", "G11", "G14", "G22"].map(String::from))
        .collect();
    let names = if names.is_empty() { &default } else { names };
    println!("instance seed | tempering best (cut) seconds | annealing best (cut) at equal wall time");
    for name in names {
        let magnet =
            if name.starts_with('G') { Magnet::gset(name).expect("bundled Gset") } else { glass(name) };
        let rate = calibrate(&magnet);
        let (mut pt_best, mut sa_best) = (Vec::new(), Vec::new());
        let cut = |e: f64| magnet.cut(e).map_or(String::new(), |c| format!(" (cut {c})"));
        for seed in 1..=5 {
            let started = Instant::now();
            let mut pt = Tempering::new(magnet.clone(), budget(name, seed)).expect("valid");
            pt.run(u64::MAX);
            let seconds = started.elapsed().as_secs_f64();
            let sa = anneal_for(&magnet, seed, seconds, rate);
            println!(
                "{name} {seed} | {}{} {seconds:.2} s | {}{}",
                pt.best_energy(),
                cut(pt.best_energy()),
                sa,
                cut(sa)
            );
            pt_best.push(pt.best_energy());
            sa_best.push(sa);
        }
        let (pt_median, sa_median) = (median(pt_best), median(sa_best));
        let target = GLASSES
            .iter()
            .find(|g| g.0 == name)
            .map(|g| format!(", ground state {}", g.1))
            .or_else(|| magnet.best_known_cut().map(|c| format!(", best-known cut {c}")))
            .unwrap_or_default();
        println!(
            "{name} median | tempering {pt_median}{} | annealing {sa_median}{}{target}",
            cut(pt_median),
            cut(sa_median)
        );
    }
}

/// `probe NAME [key=value..]`: the default tempering budget of instance NAME with
/// some settings replaced (`replicas`, `hot`, `cold`, `sweeps` per replica, `interval`
/// in steps, `ladder` tuned|geometric, `seeds` as a count from `first`, 1 unless given;
/// `seconds` sizes `sweeps` to that many seconds on this machine), each seed's best
/// (cut), seconds, exchange rates and round trips: for choosing defaults.
fn probe(args: &[String]) {
    let name = args.first().expect("probe NAME [key=value..]");
    let magnet = if name.starts_with('G') { Magnet::gset(name).expect("bundled Gset") } else { glass(name) };
    let get = |key: &str| {
        args[1..]
            .iter()
            .find_map(|a| a.strip_prefix(&format!("{key}=")).map(|v| v.parse::<f64>().expect(key)))
    };
    let seeds = get("seeds").unwrap_or(5.0) as u64;
    let first = get("first").unwrap_or(1.0) as u64;
    // `seconds=S`: sweeps sized to S seconds from a timed 2,000-sweep run of the
    // default ladder (printed, so that the run can be repeated with `sweeps=`).
    let sized_sweeps = get("seconds").map(|seconds| {
        let calibration =
            AnnealConfig { steps_per_cycle: 2_000 * magnet.len() as u64, cycles: 1, ..budget(name, 0) };
        let started = Instant::now();
        Tempering::new(magnet.clone(), calibration).expect("valid").run(u64::MAX);
        let sweeps = (2_000.0 * seconds / started.elapsed().as_secs_f64()).round();
        println!("{name}: {seconds} s is about {sweeps} sweeps a replica here");
        sweeps
    });
    let mut bests = Vec::new();
    for seed in first..first + seeds {
        let mut config = budget(name, seed);
        let mut tempering = config.tempering.expect("a tempering budget");
        if let Some(r) = get("replicas") {
            tempering.replicas = r as u32;
        }
        if let Some(i) = get("interval") {
            tempering.exchange_interval = i as u64;
        }
        if args.iter().any(|a| a == "ladder=geometric") {
            tempering.ladder = kiln_engine::Ladder::Geometric;
        }
        config.tempering = Some(tempering);
        if let Some(t) = get("hot") {
            config.initial_temp = t;
        }
        if let Some(t) = get("cold") {
            config.final_temp = Some(t);
        }
        if let Some(sweeps) = get("sweeps").or(sized_sweeps) {
            config.steps_per_cycle = sweeps as u64 * magnet.len() as u64;
            config.cycles = 1;
        }
        let started = Instant::now();
        let mut pt = Tempering::new(magnet.clone(), config).expect("valid");
        pt.run(u64::MAX);
        let seconds = started.elapsed().as_secs_f64();
        let report = pt.report();
        let cut = magnet.cut(pt.best_energy()).map_or(String::new(), |c| format!(" (cut {c})"));
        println!(
            "{name} {seed} | {}{cut} {seconds:.2} s | T {:.2?} | rates {:.2?} | round trips {} | f {:.2?}",
            pt.best_energy(),
            pt.temperatures(),
            report.exchange_rates,
            report.round_trips,
            pt.down_fractions()
        );
        bests.push(pt.best_energy());
    }
    let m = median(bests.clone());
    println!(
        "{name} median {m}{} | {bests:?}",
        magnet.cut(m).map_or(String::new(), |c| format!(" (cut {c})"))
    );
}

/// `anneal NAME [share=F seeds=K first=S]`: annealing of the instance's default shape
/// (the `quality` opponent) given `F` times the replica steps of its default tempering
/// budget (`F = 1/2`: one chain for two cores at the same step rate), each seed's best
/// (cut) and seconds: the opponent's distribution without timing it against a loaded
/// machine.
fn anneal(args: &[String]) {
    let name = args.first().expect("anneal NAME [key=value..]");
    let magnet = if name.starts_with('G') { Magnet::gset(name).expect("bundled Gset") } else { glass(name) };
    let get = |key: &str| {
        args[1..]
            .iter()
            .find_map(|a| a.strip_prefix(&format!("{key}=")).map(|v| v.parse::<f64>().expect(key)))
    };
    let share = get("share").unwrap_or(0.5);
    let seeds = get("seeds").unwrap_or(5.0) as u64;
    let first = get("first").unwrap_or(1.0) as u64;
    let mut bests = Vec::new();
    for seed in first..first + seeds {
        let tempering = budget(name, seed);
        let replicas = tempering.tempering.expect("a tempering budget").replicas as f64;
        let steps = (share * replicas * tempering.total_steps() as f64) as u64;
        let base = magnet.default_config(seed);
        let per_cycle = (steps / base.cycles).max(1);
        let started = Instant::now();
        let mut sa = Annealer::new(magnet.clone(), AnnealConfig { steps_per_cycle: per_cycle, ..base })
            .expect("valid");
        sa.run(u64::MAX);
        let seconds = started.elapsed().as_secs_f64();
        let cut = magnet.cut(sa.best_energy()).map_or(String::new(), |c| format!(" (cut {c})"));
        println!("{name} {seed} | anneal {steps} steps | {}{cut} {seconds:.2} s", sa.best_energy());
        bests.push(sa.best_energy());
    }
    let m = median(bests.clone());
    println!(
        "{name} median {m}{} | {bests:?}",
        magnet.cut(m).map_or(String::new(), |c| format!(" (cut {c})"))
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    match args.first().map(String::as_str) {
        Some("rate") => rate(),
        Some("quality") => quality(&args[1..]),
        Some("probe") => probe(&args[1..]),
        Some("anneal") => anneal(&args[1..]),
        _ => {
            rate();
            quality(&[]);
        }
    }
}
