//! Isomer annealing throughput: steps per second on one core, and speculative
//! parallel scoring on C30H62 at low temperature.
//!
//! * `isomer_steps/C10H22_wiener`, `C10H16_wiener`: 100,000 steps of the default
//!   Faulon schedule (one 100,000-step cycle) at batch 1, so one core.
//! * `isomer_steps/C10H22_logp`: 1,000 steps with the logP objective, whose
//!   pricing goes through chematic's SMILES parser and SMARTS typing.
//! * `isomer_parallel_C30H62`: 20,000 steps at constant T = 0.5 from a quenched
//!   C30H62 (acceptance near 0), batch 1 against batch auto on 2 threads. The bench
//!   first checks both produce identical checkpoints; speed means nothing otherwise.
//!
//! * `isomer_distinct/C10H22`, `C30H62`: the first [`DISTINCT_STEPS`] steps of a
//!   headless run ([`Isomer::headless_config`], batch 1), the engine alone against
//!   the engine counting distinct isomers on every accepted step, as `kiln run`
//!   does. Before criterion, the two are also timed interleaved (best of five each)
//!   and the ratio printed, so it compares runs made side by side.
//!
//! * `isomer_kiln_run`: the whole `kiln run` process (`kiln run --formula F --json`,
//!   its defaults: batch auto, one thread per core) against the engine alone with
//!   the same config ([`Isomer::headless_config`], seed 42) in this process, for
//!   C10H22 (the default 800,000 steps) and C30H62 (`--steps 1000000`), run
//!   interleaved five times; the best wall time and the best CPU time (user +
//!   system, all threads) of each are compared, so the ratios come from runs made
//!   side by side. Both must report the same steps and accepted moves (the same
//!   trajectory), or the figures mean nothing. Printed only (a process is too
//!   coarse for criterion's samples).
//!
//! Run: `cargo bench --bench isomer_steps` (or `-- isomer_distinct` for that group,
//! `-- isomer_kiln_run` for the process comparison alone).

use std::hint::black_box;

use std::time::Instant;

#[path = "support/proc_stats.rs"]
mod proc_stats;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kiln_engine::problems::isomer::{DistinctIsomers, Isomer, Molecule, Objective};
use kiln_engine::replay::{first_divergence, record_checkpoints};
use kiln_engine::{AnnealConfig, Annealer, Batch, Direction, ScheduleKind};
use proc_stats::own_and_children_cpu_seconds;

const ONE_CORE_STEPS: u64 = 100_000;
const LOGP_STEPS: u64 = 1_000;
const PARALLEL_STEPS: u64 = 20_000;
const DISTINCT_STEPS: u64 = 200_000;

fn one_core(steps: u64) -> AnnealConfig {
    AnnealConfig {
        steps_per_cycle: steps,
        cycles: 1,
        batch: Batch::Fixed(1),
        threads: 1,
        ..AnnealConfig::default()
    }
}

fn steps_per_second(c: &mut Criterion) {
    let logp = Objective::from_weights(&[("logp".to_string(), 1.0)]).unwrap();
    let mut group = c.benchmark_group("isomer_steps");
    group.sample_size(10);
    for (label, formula, objective, steps) in [
        ("C10H22_wiener", "C10H22", Objective::default(), ONE_CORE_STEPS),
        ("C10H16_wiener", "C10H16", Objective::default(), ONE_CORE_STEPS),
        ("C10H22_logp", "C10H22", logp, LOGP_STEPS),
    ] {
        let mut sa = Annealer::new(Isomer::new(formula, objective).unwrap(), one_core(steps)).unwrap();
        group.throughput(Throughput::Elements(steps));
        group.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| {
                sa.reset();
                black_box(sa.run(steps))
            })
        });
        let s = sa.snapshot();
        eprintln!(
            "{label}: accepted {} rejected {} invalid {} of {} steps",
            s.accepted_moves, s.rejected_moves, s.invalid_moves, s.step
        );
    }
    group.finish();
}

fn low_temperature(batch: Batch, threads: usize, steps: u64) -> AnnealConfig {
    AnnealConfig {
        schedule: ScheduleKind::Constant,
        initial_temp: 0.5,
        steps_per_cycle: steps,
        cycles: 1,
        batch,
        threads,
        ..AnnealConfig::default()
    }
}

fn parallel_scoring(c: &mut Criterion) {
    let problem = Isomer::new("C30H62", Objective::default()).unwrap();
    let mut quench =
        Annealer::new(problem.clone(), AnnealConfig { steps_per_cycle: 50_000, ..one_core(50_000) }).unwrap();
    quench.run(u64::MAX);
    let problem = problem.starting_at(quench.best_state()).expect("a C30H62 state");

    let mut sequential =
        Annealer::new(problem.clone(), low_temperature(Batch::Fixed(1), 1, PARALLEL_STEPS)).unwrap();
    let mut parallel =
        Annealer::new(problem.clone(), low_temperature(Batch::Auto, 2, PARALLEL_STEPS)).unwrap();
    let expected = record_checkpoints(&mut sequential, 1_000, |_| {});
    let actual = record_checkpoints(&mut parallel, 1_000, |_| {});
    assert_eq!(first_divergence(&expected, &actual), None, "batch auto must reproduce batch 1 exactly");
    let s = sequential.snapshot();
    eprintln!(
        "C30H62 from W = {} at T 0.5: accepted {} of {} steps; parallel rounds {}",
        quench.best_energy(),
        s.accepted_moves,
        s.step,
        parallel.parallel_rounds()
    );

    let mut group = c.benchmark_group("isomer_parallel_C30H62");
    group.throughput(Throughput::Elements(PARALLEL_STEPS));
    group.sample_size(10);
    for (label, batch, threads) in [("batch1", Batch::Fixed(1), 1), ("auto_2_threads", Batch::Auto, 2)] {
        let mut sa = Annealer::new(problem.clone(), low_temperature(batch, threads, PARALLEL_STEPS)).unwrap();
        group.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| {
                sa.reset();
                black_box(sa.run(PARALLEL_STEPS))
            })
        });
    }
    group.finish();
}

/// The start of a headless run of `formula`, one core.
fn headless(formula: &str) -> Annealer<Isomer> {
    let problem = Isomer::new(formula, Objective::default()).unwrap();
    let config = AnnealConfig {
        batch: Batch::Fixed(1),
        threads: 1,
        ..problem.headless_config(42, Direction::Minimize)
    };
    Annealer::new(problem, config).unwrap()
}

/// Run the first [`DISTINCT_STEPS`] steps again, counting distinct isomers or not;
/// returns the count (0 when not counting).
fn run_headless(sa: &mut Annealer<Isomer>, count: bool) -> u64 {
    sa.reset();
    if !count {
        sa.run(DISTINCT_STEPS);
        return 0;
    }
    let problem = sa.problem().clone();
    let mut distinct = DistinctIsomers::new();
    distinct.observe(&problem, sa.state());
    sa.run_observed(DISTINCT_STEPS, &mut |m: &Molecule| distinct.observe(&problem, m));
    distinct.count()
}

fn distinct_counting(c: &mut Criterion) {
    let mut group = c.benchmark_group("isomer_distinct");
    group.sample_size(10);
    group.throughput(Throughput::Elements(DISTINCT_STEPS));
    for formula in ["C10H22", "C30H62"] {
        let mut sa = headless(formula);
        let (mut alone, mut counting) = (f64::MAX, f64::MAX);
        let mut distinct = 0;
        for _ in 0..if wanted("isomer_distinct") { 5 } else { 0 } {
            let start = Instant::now();
            run_headless(&mut sa, false);
            alone = alone.min(start.elapsed().as_secs_f64());
            let start = Instant::now();
            distinct = run_headless(&mut sa, true);
            counting = counting.min(start.elapsed().as_secs_f64());
        }
        let rate = |secs: f64| DISTINCT_STEPS as f64 / secs / 1e6;
        if distinct == 0 {
            continue;
        }
        eprintln!(
            "{formula}: engine alone {:.2} M steps/s, counting {:.2} M steps/s ({:.0}%), {distinct} distinct, \
             accepted {} of {DISTINCT_STEPS}",
            rate(alone),
            rate(counting),
            100.0 * alone / counting,
            sa.snapshot().accepted_moves
        );
        for (label, count) in [("engine_alone", false), ("counting", true)] {
            group.bench_function(BenchmarkId::new(formula, label), |b| {
                b.iter(|| black_box(run_headless(&mut sa, count)))
            });
        }
    }
    group.finish();
}

/// Runs of the process comparison, interleaved.
const KILN_RUN_ROUNDS: usize = 5;

/// One whole `kiln run` process: (wall s, CPU s, steps, accepted, its own steps/s).
fn kiln_run_process(formula: &str, steps: Option<u64>) -> (f64, f64, u64, u64, f64) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_kiln"));
    command.args(["run", "--formula", formula, "--json"]);
    if let Some(steps) = steps {
        command.args(["--steps", &steps.to_string()]);
    }
    let cpu_before = own_and_children_cpu_seconds().1;
    let start = Instant::now();
    let output = command.output().expect("kiln run starts");
    let wall = start.elapsed().as_secs_f64();
    let cpu = own_and_children_cpu_seconds().1 - cpu_before;
    assert!(output.status.success(), "kiln run failed: {}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("kiln run --json");
    let number = |name: &str| json[name].as_f64().unwrap_or_else(|| panic!("{name} in {json}"));
    (wall, cpu, number("step") as u64, number("accepted_moves") as u64, number("steps_per_sec"))
}

/// The engine alone with `kiln run`'s config: (wall s, CPU s, steps, accepted).
fn engine_alone(formula: &str, steps: Option<u64>) -> (f64, f64, u64, u64) {
    let cpu_before = own_and_children_cpu_seconds().0;
    let start = Instant::now();
    let problem = Isomer::new(formula, Objective::default()).unwrap();
    let mut config = problem.headless_config(42, Direction::Minimize);
    if let Some(steps) = steps {
        config.steps_per_cycle = steps / config.cycles;
    }
    let mut sa = Annealer::new(problem, config).unwrap();
    sa.run(u64::MAX);
    let wall = start.elapsed().as_secs_f64();
    let cpu = own_and_children_cpu_seconds().0 - cpu_before;
    let s = sa.snapshot();
    (wall, cpu, s.step, s.accepted_moves)
}

/// Whether the command line's filters (its arguments that are not flags) name
/// `group`, or there are none: criterion filters benchmarks, not the printed
/// measurements made before them.
fn wanted(group: &str) -> bool {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    filters.is_empty() || filters.iter().any(|f| group.contains(f.as_str()))
}

fn kiln_run_against_engine(_c: &mut Criterion) {
    if !wanted("isomer_kiln_run") {
        return;
    }
    for (formula, steps) in [("C10H22", None), ("C30H62", Some(1_000_000))] {
        let (mut run_wall, mut run_cpu, mut alone_wall, mut alone_cpu) =
            (f64::MAX, f64::MAX, f64::MAX, f64::MAX);
        let mut own_rate: f64 = 0.0;
        let mut done = 0;
        for _ in 0..KILN_RUN_ROUNDS {
            let (wall, cpu, run_steps, run_accepted, rate) = kiln_run_process(formula, steps);
            let (a_wall, a_cpu, a_steps, a_accepted) = engine_alone(formula, steps);
            assert_eq!((run_steps, run_accepted), (a_steps, a_accepted), "{formula}: the same trajectory");
            (run_wall, run_cpu, alone_wall, alone_cpu) =
                (run_wall.min(wall), run_cpu.min(cpu), alone_wall.min(a_wall), alone_cpu.min(a_cpu));
            own_rate = own_rate.max(rate);
            done = run_steps;
        }
        let rate = |secs: f64| done as f64 / secs.max(1e-9) / 1e6;
        eprintln!(
            "{formula} ({done} steps): kiln run process {:.2} M steps/s wall, {:.2} M/s CPU (its own loop {:.2} M/s); \
             engine alone {:.2} M/s wall, {:.2} M/s CPU; kiln run / engine: {:.0}% wall, {:.0}% CPU",
            rate(run_wall),
            rate(run_cpu),
            own_rate / 1e6,
            rate(alone_wall),
            rate(alone_cpu),
            100.0 * alone_wall / run_wall,
            100.0 * alone_cpu / run_cpu.max(1e-9),
        );
    }
}

criterion_group!(benches, steps_per_second, parallel_scoring, distinct_counting);
criterion_group!(process, kiln_run_against_engine);
criterion_main!(benches, process);
