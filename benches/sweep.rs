//! Experiment speedup (issue 10): a 16-task experiment on a 2-thread `SweepPool`
//! against the same 16 tasks run one after another on one thread.
//!
//! Each task is a berlin52 anneal through [`KindRunner`], the registry's runner the
//! server and `kiln sweep` use (batch 1), sized to about a quarter of a second. Per round, the bench times the sequential loop and the
//! experiment side by side with an outside `Instant`, and reads the experiment's own
//! `speedup` (sum of task times / wall time) from its summary. It checks first that
//! both ways give the same best energies; speed means nothing otherwise. Three rounds,
//! alternating, then the median of each ratio. About 20 to 30 seconds in all.
//!
//! Run: `cargo bench --bench sweep`

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use kiln::kinds::Registry;
use kiln::sweep::{Experiment, KindRunner, Plan, PlanLimits, RunOptions, SweepPool, TaskRunner};
use serde_json::{Value, json};

const TASKS: u64 = 16;
const THREADS: usize = 2;
const ROUNDS: usize = 3;

fn base(steps: u64) -> Value {
    json!({"problem": "tsp", "instance": "berlin52", "steps": steps})
}

/// Steps that make one task take about 250 ms on this machine.
fn calibrate_steps(runner: &KindRunner) -> u64 {
    let cancel = AtomicBool::new(false);
    let probe = 200_000;
    let params = base(probe).as_object().cloned().unwrap();
    let started = Instant::now();
    runner.run(&params, 0, &cancel).unwrap();
    let per_step = started.elapsed().as_secs_f64() / probe as f64;
    ((0.25 / per_step) as u64).max(10_000)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("sweep_speedup: benchmark");
        return;
    }
    let runner = KindRunner::new(Arc::new(Registry::builtin()));
    let steps = calibrate_steps(&runner);
    let plan = Plan::parse(&json!({"base": base(steps), "seeds": TASKS}), &PlanLimits::default()).unwrap();
    let experiment = Experiment::new(plan, runner.clone(), &PlanLimits::default()).unwrap();
    let pool = SweepPool::new(THREADS).unwrap();
    let cancel = AtomicBool::new(false);
    let params = experiment.plan().group(0).unwrap().params().clone();
    println!("sweep: {TASKS} berlin52 tasks of {steps} steps, {THREADS} threads vs one after another");

    let (mut outside, mut reported) = (Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        let started = Instant::now();
        let sequential: Vec<f64> =
            (0..TASKS).map(|seed| runner.run(&params, seed, &cancel).unwrap().best_energy).collect();
        let sequential_s = started.elapsed().as_secs_f64();

        let started = Instant::now();
        let report = experiment.run(&pool, RunOptions::new(&cancel), |_| {}).unwrap();
        let parallel_s = started.elapsed().as_secs_f64();

        let parallel: Vec<f64> = report.records.iter().map(|r| r.best_energy.unwrap()).collect();
        assert_eq!(parallel, sequential, "the experiment and the loop disagree on results");
        let ratio = sequential_s / parallel_s;
        println!(
            "round {round}: one after another {sequential_s:.2} s, experiment {parallel_s:.2} s: \
             outside timer {ratio:.2}x, experiment's own speedup {:.2}x",
            report.summary.speedup
        );
        outside.push(ratio);
        reported.push(report.summary.speedup);
    }
    println!(
        "median speedup: outside timer {:.2}x, experiment's own {:.2}x (target >= 1.8x)",
        median(outside),
        median(reported)
    );
}
