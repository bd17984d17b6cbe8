//! Experiments run as specified by DESIGN.md section 9: the event stream of a grid of
//! runs, failures that leave the others going, cancellation, resumption, limits, and
//! results that do not depend on the thread count.
//!
//! The tasks are real TSP anneals (berlin52, 20,000 steps each) through the test
//! runner in `support::sweep`; expected values come from counting and recomputing what
//! the events say, and berlin52's optimum from TSPLIB's published table.

mod support;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kiln::sweep::{
    Experiment, Params, PlanLimits, RunOptions, Spread, SweepEvent, SweepPool, TaskError, TaskResult,
    TaskRunner, TaskStatus,
};
use serde_json::json;
use support::sweep::{
    SUMMARY_TIMING, TASK_TIMING, TspRunner, plan, resume_collecting, run_collecting, without,
};

/// berlin52's optimal tour length, from TSPLIB's table (shared/data/tsplib/optimal.tsv).
const BERLIN52_OPTIMUM: f64 = 7542.0;

fn two_by_eight() -> serde_json::Value {
    json!({"base": {"instance": "berlin52"}, "vary": {"schedule": ["geometric", "auto"]}, "seeds": 8})
}

#[test]
fn a_two_by_eight_experiment_streams_each_task_once_and_the_summary_last() {
    let (_, events) = run_collecting(plan(two_by_eight()), TspRunner, 2);
    let names: Vec<&str> = events.iter().map(SweepEvent::name).collect();
    assert_eq!(names.iter().filter(|n| **n == "task_start").count(), 16);
    assert_eq!(names.iter().filter(|n| **n == "task_complete").count(), 16);
    assert_eq!(names.iter().filter(|n| **n == "execution_complete").count(), 1);
    assert_eq!(names.last(), Some(&"execution_complete"));
    assert_eq!(names.len(), 33, "no other events: {names:?}");

    let mut started = HashMap::new();
    let mut completed = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        match e {
            SweepEvent::TaskStart(s) => {
                assert!(started.insert(s.task_id, i).is_none(), "task {} twice", s.task_id)
            }
            SweepEvent::TaskComplete(c) => {
                assert!(completed.insert(c.task_id, i).is_none(), "task {} twice", c.task_id)
            }
            _ => {}
        }
    }
    for id in 0..16 {
        assert!(started[&id] < completed[&id], "task {id} completed before it started");
    }
    let start_ids: Vec<u64> = events
        .iter()
        .filter_map(|e| if let SweepEvent::TaskStart(s) = e { Some(s.task_id) } else { None })
        .collect();
    assert_eq!(start_ids, (0..16).collect::<Vec<_>>(), "tasks start in id order");

    let Some(SweepEvent::ExecutionComplete(summary)) = events.last() else { unreachable!() };
    assert_eq!((summary.total_tasks, summary.completed_count, summary.error_count), (16, 16, 0));
    assert_eq!(summary.groups.len(), 2);
    assert!(summary.groups.iter().all(|g| g.tasks == 8 && g.completed_count == 8));
}

#[test]
fn task_start_carries_the_full_parameters_and_the_seed() {
    let (_, events) = run_collecting(plan(two_by_eight()), TspRunner, 2);
    let event = events.iter().find(|e| matches!(e, SweepEvent::TaskStart(s) if s.task_id == 3)).unwrap();
    let SweepEvent::TaskStart(start) = event else { unreachable!() };
    // Seed-major numbering: task 3 is the second parameter set with the second seed.
    let data: serde_json::Value = serde_json::from_str(&event.data_json()).unwrap();
    assert_eq!(data["task_id"], 3);
    assert_eq!(data["params"], json!({"instance": "berlin52", "schedule": "auto"}));
    assert_eq!(data["seed"], 1);
    assert!(data["timestamp"].as_u64().unwrap() > 1_600_000_000_000, "milliseconds since the epoch");
    assert_eq!(start.group, 1);
}

#[test]
fn the_summary_restates_the_task_results_per_parameter_set() {
    let (report, events) = run_collecting(plan(two_by_eight()), TspRunner, 2);
    for group in &report.summary.groups {
        let mut energies = Vec::new();
        let mut reached_steps = Vec::new();
        for e in &events {
            if let SweepEvent::TaskComplete(c) = e
                && c.group == group.group
            {
                energies.push(c.best_energy.unwrap());
                assert_eq!(c.optimum, Some(BERLIN52_OPTIMUM));
                assert_eq!(c.reached_optimum, Some(c.best_energy == Some(BERLIN52_OPTIMUM)));
                if c.reached_optimum == Some(true) {
                    reached_steps.push(c.optimum_step.unwrap() as f64);
                }
            }
        }
        energies.sort_by(f64::total_cmp);
        reached_steps.sort_by(f64::total_cmp);
        let median = |v: &[f64]| (v[(v.len() - 1) / 2] + v[v.len() / 2]) / 2.0;
        let expected = Spread { min: energies[0], median: median(&energies), max: energies[7] };
        assert_eq!(group.best_energy, Some(expected), "group {}", group.key);
        assert!(energies[0] >= BERLIN52_OPTIMUM, "no tour is shorter than the optimum");
        assert_eq!(group.optimum, Some(BERLIN52_OPTIMUM));
        assert_eq!(group.success_rate, Some(reached_steps.len() as f64 / 8.0));
        let median_steps = (!reached_steps.is_empty()).then(|| median(&reached_steps));
        assert_eq!(group.median_steps_to_optimum, median_steps);
    }
    assert_eq!(report.summary.groups[0].key, r#"{"schedule":"geometric"}"#);
    assert_eq!(report.summary.groups[1].params, json!({"schedule": "auto"}).as_object().cloned().unwrap());
}

#[test]
fn the_summary_is_identical_for_one_and_two_threads() {
    let (one, _) = run_collecting(plan(two_by_eight()), TspRunner, 1);
    let (two, _) = run_collecting(plan(two_by_eight()), TspRunner, 2);
    assert_eq!(without(&one.summary, &SUMMARY_TIMING), without(&two.summary, &SUMMARY_TIMING));
    let records = |r: &kiln::sweep::Report| -> Vec<String> {
        r.records.iter().map(|t| without(t, &TASK_TIMING)).collect()
    };
    assert_eq!(records(&one), records(&two));
}

#[test]
fn a_task_that_fails_at_build_reports_its_error_and_the_others_complete() {
    let plan = plan(json!({"vary": {"instance": ["berlin52", "atlantis"]}, "seeds": 3}));
    let (report, events) = run_collecting(plan, TspRunner, 2);
    let errors: Vec<&kiln::sweep::TaskFailed> = events
        .iter()
        .filter_map(|e| if let SweepEvent::TaskFailed(f) = e { Some(f) } else { None })
        .collect();
    assert_eq!(errors.iter().map(|f| f.task_id).collect::<Vec<_>>().len(), 3);
    for f in &errors {
        assert_eq!(f.group, 1);
        assert_eq!(f.field.as_deref(), Some("instance"));
        assert!(f.message.contains("atlantis"), "{}", f.message);
        let error_at =
            events.iter().position(|e| matches!(e, SweepEvent::TaskFailed(x) if x.task_id == f.task_id));
        let complete_at =
            events.iter().position(|e| matches!(e, SweepEvent::TaskComplete(c) if c.task_id == f.task_id));
        assert!(error_at < complete_at, "error before its task_complete");
    }
    let statuses: Vec<(u64, TaskStatus)> = report.records.iter().map(|r| (r.group, r.status)).collect();
    assert_eq!(statuses.iter().filter(|(g, s)| *g == 0 && *s == TaskStatus::Success).count(), 3);
    assert_eq!(statuses.iter().filter(|(g, s)| *g == 1 && *s == TaskStatus::Error).count(), 3);
    let s = &report.summary;
    assert_eq!((s.total_tasks, s.completed_count, s.error_count), (6, 3, 3));
    assert_eq!((s.groups[1].error_count, s.groups[1].best_energy), (3, None));
    assert_eq!(s.groups[1].success_rate, None, "no optimum is known for a set that never ran");
}

/// Panics on seed 1, returns the seed otherwise.
struct PanicsOnSeedOne;

impl TaskRunner for PanicsOnSeedOne {
    fn planned_steps(&self, _: &Params) -> Result<u64, TaskError> {
        Ok(1)
    }
    fn run(&self, _: &Params, seed: u64, _: &AtomicBool) -> Result<TaskResult, TaskError> {
        assert_ne!(seed, 1, "seed one is cursed");
        Ok(TaskResult::new(seed as f64, 1, 1))
    }
}

#[test]
fn a_panicking_task_is_an_error_and_the_others_complete() {
    let (report, _) = run_collecting(plan(json!({"seeds": 4})), PanicsOnSeedOne, 2);
    assert_eq!((report.summary.completed_count, report.summary.error_count), (3, 1));
    let failed = &report.records[1];
    assert_eq!(failed.status, TaskStatus::Error);
    assert!(failed.error.as_ref().unwrap().message().contains("seed one is cursed"), "{failed:?}");
}

/// Task 0 returns at once; every other task runs until cancelled (bounded by a
/// generous deadline so a broken cancel fails the test instead of hanging it).
struct WaitsForCancel {
    calls: AtomicUsize,
}

impl TaskRunner for WaitsForCancel {
    fn planned_steps(&self, _: &Params) -> Result<u64, TaskError> {
        Ok(1)
    }
    fn run(&self, _: &Params, seed: u64, cancel: &AtomicBool) -> Result<TaskResult, TaskError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(60);
        while seed != 0 && !cancel.load(Ordering::SeqCst) && Instant::now() < deadline {
            std::thread::yield_now();
        }
        Ok(TaskResult::new(seed as f64, 1, 1))
    }
}

#[test]
fn cancelling_stops_claiming_tasks_and_returns_the_completed_ones() {
    let runner = WaitsForCancel { calls: AtomicUsize::new(0) };
    let experiment = Experiment::new(plan(json!({"seeds": 8})), &runner, &PlanLimits::default()).unwrap();
    let cancel = AtomicBool::new(false);
    let events = Mutex::new(Vec::new());
    let outcome = experiment.run(&SweepPool::new(2).unwrap(), RunOptions::new(&cancel), |e| {
        if matches!(e, SweepEvent::TaskComplete(_)) {
            cancel.store(true, Ordering::SeqCst);
        }
        events.lock().unwrap().push(e.name());
    });
    let cancelled = outcome.expect_err("the run was cancelled");
    assert_eq!(cancelled.completed.iter().map(|r| r.task_id).collect::<Vec<_>>(), [0]);
    let events = events.into_inner().unwrap();
    assert!(!events.contains(&"execution_complete"), "{events:?}");
    assert_eq!(events.iter().filter(|n| **n == "task_complete").count(), 1, "{events:?}");
    assert!(runner.calls.load(Ordering::SeqCst) <= 2, "at most the two tasks running when it was cancelled");
}

/// Counts its runs; the result is the seed.
struct Counting {
    calls: AtomicUsize,
}

impl TaskRunner for Counting {
    fn planned_steps(&self, _: &Params) -> Result<u64, TaskError> {
        Ok(10)
    }
    fn run(&self, _: &Params, seed: u64, _: &AtomicBool) -> Result<TaskResult, TaskError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(TaskResult::new(seed as f64, 3, 10))
    }
}

#[test]
fn a_resumed_run_keeps_completed_tasks_and_runs_only_the_rest() {
    let json = json!({"vary": {"k": [1, 2]}, "seeds": 5});
    let (full, _) = run_collecting(plan(json.clone()), Counting { calls: AtomicUsize::new(0) }, 2);
    let kept: Vec<_> = full.records.iter().filter(|r| r.task_id % 3 == 0).cloned().collect();
    assert_eq!(kept.len(), 4);
    let runner = Counting { calls: AtomicUsize::new(0) };
    let (resumed, events) = resume_collecting(plan(json), &runner, 2, kept);
    assert_eq!(runner.calls.load(Ordering::SeqCst), 6);
    assert_eq!(events.iter().filter(|e| e.name() == "task_start").count(), 6);
    assert!(events.iter().all(|e| e.task_id().is_none_or(|id| id % 3 != 0)), "kept tasks are not announced");
    assert_eq!(without(&resumed.summary, &SUMMARY_TIMING), without(&full.summary, &SUMMARY_TIMING));
    let records = |r: &kiln::sweep::Report| -> Vec<String> {
        r.records.iter().map(|t| without(t, &TASK_TIMING)).collect()
    };
    assert_eq!(records(&resumed), records(&full));
}

#[test]
fn an_experiment_above_the_step_limit_is_refused_before_it_runs() {
    let limits = PlanLimits { max_tasks: 100, max_total_steps: 1_000_000 };
    let plan = plan(json!({"base": {"steps": 100_000}, "seeds": 11}));
    let err = Experiment::new(plan, TspRunner, &limits).err().expect("over the limit");
    assert_eq!(err.field(), "seeds");
    assert!(err.message().contains("1100000") && err.message().contains("1000000"), "{err}");
}

#[test]
fn a_bad_parameter_is_refused_under_its_place_in_the_plan() {
    let limits = PlanLimits::default();
    let varied = plan(json!({"vary": {"schedule": ["auto", "slowly"]}, "seeds": 2}));
    let err = Experiment::new(varied, TspRunner, &limits).err().unwrap();
    assert_eq!(err.field(), "vary.schedule");
    assert!(err.message().contains("\"slowly\""), "{err}");
    let base = plan(json!({"base": {"steps": 0}, "seeds": 2}));
    let err = Experiment::new(base, TspRunner, &limits).err().unwrap();
    assert_eq!(err.field(), "base.steps");
}
