//! Tempering inside an experiment (`kiln sweep`, `vary method=...`): the experiment
//! runs one task per core, so a tempering task runs its replicas in turn on its own
//! thread rather than on a pool of its own beside the experiment's. Threads decide
//! only how fast a run goes: the results and the records are those of the same run on
//! its own with replicas on every core, and the same on one or two experiment threads.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use kiln::kinds::{Registry, Request, Scope};
use kiln::sweep::{Experiment, KindRunner, Plan, PlanLimits, RunOptions, SweepPool};
use kiln_engine::replay::first_divergence;
use serde_json::{Value, json};

fn base() -> Value {
    json!({"problem": "magnet", "lattice": 10, "coupling": "glass", "method": "tempering",
           "replicas": 6, "exchange_interval": 100, "steps": 60_000})
}

/// A task's id, best energy, the step of its best, and its steps.
type Outcome = (u64, Option<f64>, Option<u64>, Option<u64>);

/// The outcome of every task of a 4-seed experiment on `threads` threads.
fn results(threads: usize) -> Vec<Outcome> {
    let limits = PlanLimits::default();
    let plan = Plan::parse(&json!({"base": base(), "seeds": 4}), &limits).unwrap();
    let experiment = Experiment::new(plan, KindRunner::new(Arc::new(Registry::builtin())), &limits).unwrap();
    let cancel = AtomicBool::new(false);
    let report = experiment.run(&SweepPool::new(threads).unwrap(), RunOptions::new(&cancel), |_| {}).unwrap();
    assert_eq!(report.summary.error_count, 0);
    report.records.iter().map(|r| (r.task_id, r.best_energy, r.best_step, r.steps)).collect()
}

#[test]
fn a_tempering_experiment_gives_the_same_results_on_one_or_two_threads() {
    assert_eq!(results(1), results(2));
}

#[test]
fn a_tempering_task_is_the_run_it_would_be_on_its_own_with_replicas_on_every_core() {
    let registry = Arc::new(Registry::builtin());
    let Value::Object(mut values) = base() else { unreachable!() };
    let steps = values.remove("steps").and_then(|v| v.as_u64()).unwrap();
    values.insert("seed".into(), json!(3));
    values.insert("batch".into(), json!(1));
    let request = Request::from_map(values.clone(), Scope::Headless).with_total_steps(Some(steps));
    let resolved = registry.resolve(&request).unwrap();
    assert_eq!(resolved.config.threads, 0, "on its own, the replicas run on every core");
    let alone = resolved.run.record(&resolved.spec, steps, steps / 100);

    let mut params = values.clone();
    params.remove("seed");
    params.insert("steps".into(), json!(steps));
    let task = KindRunner::new(registry).record(&params, 3).unwrap();
    assert_eq!(task.checkpoints.len(), alone.checkpoints.len());
    assert_eq!(first_divergence(&alone.checkpoints, &task.checkpoints), None);
}
