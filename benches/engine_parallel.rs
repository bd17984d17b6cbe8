//! Parallel neighbour scoring: batch auto on 2 threads against batch 1, on a problem
//! whose delta costs about 20 microseconds, at low acceptance.
//!
//! The landscape is the engine's synthetic `Ruggedness` with enough hashing per delta
//! to cost ~20 us (calibrated at start-up, since machines differ), started from a local
//! minimum found by a quick quench so that almost every move is rejected: the regime
//! where speculative scoring pays. Before measuring, the bench checks that both
//! settings produce bit-identical checkpoints; speed means nothing otherwise.
//!
//! Run: `cargo bench --bench engine_parallel`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kiln_engine::problems::toy::Ruggedness;
use kiln_engine::replay::{first_divergence, record_checkpoints};
use kiln_engine::{AnnealConfig, Annealer, Batch, Problem, ScheduleKind};

const SITES: usize = 64;
const TARGET_DELTA: Duration = Duration::from_micros(20);
const STEPS: u64 = 2_000;

/// Hashing rounds that make one delta cost about `TARGET_DELTA` on this machine.
fn calibrate_work() -> u32 {
    let mut work = 1_000;
    loop {
        let problem = Ruggedness::new(SITES, work);
        let state = problem.initial_state();
        let mut sa = Annealer::new(problem.clone(), config(Batch::Fixed(1), 1, 200)).unwrap();
        let started = Instant::now();
        sa.run(200);
        let per_step = started.elapsed() / 200;
        black_box(&state);
        if per_step >= TARGET_DELTA || work > 1 << 24 {
            let scaled = f64::from(work) * TARGET_DELTA.as_secs_f64() / per_step.as_secs_f64();
            return scaled.round() as u32;
        }
        work *= 4;
    }
}

fn config(batch: Batch, threads: usize, steps: u64) -> AnnealConfig {
    AnnealConfig {
        seed: 3,
        schedule: ScheduleKind::Constant,
        initial_temp: 0.3,
        steps_per_cycle: steps,
        cycles: 1,
        batch,
        threads,
        ..AnnealConfig::default()
    }
}

/// A local minimum of the landscape, so acceptance during the bench stays low.
fn quenched_start() -> Vec<u8> {
    let mut quench = Annealer::new(Ruggedness::new(SITES, 0), config(Batch::Fixed(1), 1, 200_000)).unwrap();
    quench.run(u64::MAX);
    quench.best_state().clone()
}

fn parallel_scoring(c: &mut Criterion) {
    let work = calibrate_work();
    let problem = Ruggedness::new(SITES, work).starting_at(&quenched_start());

    let mut sequential = Annealer::new(problem.clone(), config(Batch::Fixed(1), 1, STEPS)).unwrap();
    let mut parallel = Annealer::new(problem.clone(), config(Batch::Auto, 2, STEPS)).unwrap();
    let expected = record_checkpoints(&mut sequential, 250, |_| {});
    let actual = record_checkpoints(&mut parallel, 250, |_| {});
    assert_eq!(first_divergence(&expected, &actual), None, "batch auto must reproduce batch 1 exactly");
    let snapshot = sequential.snapshot();
    eprintln!(
        "delta ~{} us ({work} hashing rounds); acceptance {:.4}; parallel rounds {}",
        TARGET_DELTA.as_micros(),
        snapshot.accepted_moves as f64 / STEPS as f64,
        parallel.parallel_rounds()
    );

    let mut group = c.benchmark_group("parallel_scoring_20us_delta");
    group.throughput(Throughput::Elements(STEPS));
    group.sample_size(10);
    for (label, batch, threads) in [("batch1", Batch::Fixed(1), 1), ("auto_2_threads", Batch::Auto, 2)] {
        let mut sa = Annealer::new(problem.clone(), config(batch, threads, STEPS)).unwrap();
        group.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| {
                sa.reset();
                black_box(sa.run(STEPS))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, parallel_scoring);
criterion_main!(benches);
