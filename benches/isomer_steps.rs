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
//! Run: `cargo bench --bench isomer_steps` (or `-- isomer_distinct` for that group).

use std::hint::black_box;

use std::time::Instant;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kiln_engine::problems::isomer::{DistinctIsomers, Isomer, Molecule, Objective};
use kiln_engine::replay::{first_divergence, record_checkpoints};
use kiln_engine::{AnnealConfig, Annealer, Batch, Direction, ScheduleKind};

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
        for _ in 0..5 {
            let start = Instant::now();
            run_headless(&mut sa, false);
            alone = alone.min(start.elapsed().as_secs_f64());
            let start = Instant::now();
            distinct = run_headless(&mut sa, true);
            counting = counting.min(start.elapsed().as_secs_f64());
        }
        let rate = |secs: f64| DISTINCT_STEPS as f64 / secs / 1e6;
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

criterion_group!(benches, steps_per_second, parallel_scoring, distinct_counting);
criterion_main!(benches);
