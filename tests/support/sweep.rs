//! Shared helpers of the sweep tests: a `TaskRunner` over the engine's TSP
//! on the bundled TSPLIB instances (the kinds' real runners come with the wiring), an
//! event recorder, and the list of timing fields that may differ between runs.
//!
//! Parameters of [`TspRunner`]: `instance` (a bundled name, default `berlin52`; an
//! unknown name only fails when the task builds it, like a kind's build error),
//! `steps` (default 20,000), `schedule` (an engine schedule name, default `auto`).

#![allow(dead_code)]

use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use kiln::sweep::{
    Experiment, Params, Plan, PlanLimits, Report, RunOptions, SweepEvent, SweepPool, TaskError, TaskRecord,
    TaskResult, TaskRunner, anneal_task,
};
use kiln_engine::problems::tsp::Tsp;
use kiln_engine::{AnnealConfig, Annealer, Batch, ScheduleKind};
use serde_json::Value;

/// Summary fields that measure time, not results.
pub const SUMMARY_TIMING: [&str; 5] =
    ["total_execution_time_ms", "task_time_ms", "speedup", "started_at", "finished_at"];
/// Task record fields that measure time, not results.
pub const TASK_TIMING: [&str; 2] = ["execution_time_ms", "timestamp"];

/// TSP on a bundled instance, run with batch 1.
pub struct TspRunner;

impl TspRunner {
    fn steps(params: &Params) -> Result<u64, TaskError> {
        match params.get("steps") {
            None => Ok(20_000),
            Some(v) => v
                .as_u64()
                .filter(|s| (1..=1_000_000_000).contains(s))
                .ok_or_else(|| TaskError::field("steps", format!("must be 1 to 1e9, not {v}"))),
        }
    }

    fn schedule(params: &Params) -> Result<ScheduleKind, TaskError> {
        match params.get("schedule") {
            None => Ok(ScheduleKind::Auto),
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|_| TaskError::field("schedule", format!("unknown schedule {v}"))),
        }
    }
}

impl TaskRunner for TspRunner {
    fn planned_steps(&self, params: &Params) -> Result<u64, TaskError> {
        Self::schedule(params)?;
        Self::steps(params)
    }

    fn run(&self, params: &Params, seed: u64, cancel: &AtomicBool) -> Result<TaskResult, TaskError> {
        let name = params.get("instance").and_then(Value::as_str).unwrap_or("berlin52");
        let tsp = Tsp::bundled(name).map_err(|e| TaskError::field("instance", e.to_string()))?;
        let optimum = tsp.optimal_length().map(|o| o as f64);
        let config = AnnealConfig {
            schedule: Self::schedule(params)?,
            steps_per_cycle: Self::steps(params)?,
            batch: Batch::Fixed(1),
            ..tsp.default_config(seed)
        };
        let mut annealer = Annealer::new(tsp, config).map_err(|e| TaskError::field(e.field, e.message))?;
        anneal_task(&mut annealer, cancel, optimum)
    }
}

/// Parse a plan under the default limits; panics on a bad plan (tests pass good ones).
pub fn plan(json: Value) -> Plan {
    Plan::parse(&json, &PlanLimits::default()).expect("a valid plan")
}

/// Run `plan` with `runner` on `threads` threads, collecting every event.
pub fn run_collecting<R: TaskRunner>(plan: Plan, runner: R, threads: usize) -> (Report, Vec<SweepEvent>) {
    resume_collecting(plan, runner, threads, Vec::new())
}

/// [`run_collecting`] with the tasks of `completed` already done.
pub fn resume_collecting<R: TaskRunner>(
    plan: Plan,
    runner: R,
    threads: usize,
    completed: Vec<TaskRecord>,
) -> (Report, Vec<SweepEvent>) {
    let experiment = Experiment::new(plan, runner, &PlanLimits::default()).expect("plan fits the limits");
    let cancel = AtomicBool::new(false);
    let events = Mutex::new(Vec::new());
    let options = RunOptions { completed, ..RunOptions::new(&cancel) };
    let report = experiment
        .run(&SweepPool::new(threads).unwrap(), options, |e| events.lock().unwrap().push(e))
        .expect("not cancelled");
    (report, events.into_inner().unwrap())
}

/// `value` as JSON text with the named top-level fields removed.
pub fn without(value: &impl serde::Serialize, fields: &[&str]) -> String {
    let mut v = serde_json::to_value(value).unwrap();
    let object = v.as_object_mut().expect("an object");
    for f in fields {
        assert!(object.remove(*f).is_some(), "field {f} is present");
    }
    v.to_string()
}
