//! `TaskRunner`: what a problem kind implements so experiments can run it, and the
//! result one task hands back.
//!
//! The sweep core knows nothing of kinds: it asks the runner how many steps a
//! parameter set will take (to bound the experiment before it starts) and to run one
//! task. A task is a pure function of (parameters, seed); the runner runs it with batch
//! 1 (the experiment's parallelism is across tasks, one per core) and returns early
//! when `cancel` is set. [`anneal_task`] does the running part for any engine problem.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use kiln_engine::{Annealer, Problem};
use serde::{Deserialize, Serialize};

use crate::sweep::plan::Params;

/// Runs the tasks of one problem kind. `Sync`: one runner serves every worker thread.
pub trait TaskRunner: Sync {
    /// Steps a task with these parameters will run, without running it (no costly
    /// build). An error is a bad parameter: the experiment is refused before it
    /// starts, with the error's field placed under `base.` or `vary.`.
    fn planned_steps(&self, params: &Params) -> Result<u64, TaskError>;

    /// Run one task. Must be deterministic in (`params`, `seed`), and return soon
    /// (with any result) once `cancel` is set; the result of a cancelled task is dropped.
    fn run(&self, params: &Params, seed: u64, cancel: &AtomicBool) -> Result<TaskResult, TaskError>;
}

impl<T: TaskRunner + ?Sized> TaskRunner for &T {
    fn planned_steps(&self, params: &Params) -> Result<u64, TaskError> {
        (**self).planned_steps(params)
    }
    fn run(&self, params: &Params, seed: u64, cancel: &AtomicBool) -> Result<TaskResult, TaskError> {
        (**self).run(params, seed, cancel)
    }
}

impl<T: TaskRunner + Send + ?Sized> TaskRunner for Arc<T> {
    fn planned_steps(&self, params: &Params) -> Result<u64, TaskError> {
        (**self).planned_steps(params)
    }
    fn run(&self, params: &Params, seed: u64, cancel: &AtomicBool) -> Result<TaskResult, TaskError> {
        (**self).run(params, seed, cancel)
    }
}

/// Why a task could not run: a parameter the kind could not build from, or a failure
/// while running. `field` is the parameter as the kind names it (`instance`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}{message}", .field.as_ref().map(|f| format!("{f}: ")).unwrap_or_default())]
pub struct TaskError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    message: String,
}

impl TaskError {
    /// An error not tied to one parameter.
    pub fn new(message: impl Into<String>) -> Self {
        Self { field: None, message: message.into() }
    }

    /// An error about parameter `field`.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: Some(field.into()), message: message.into() }
    }

    /// The parameter at fault, if one is.
    pub fn field_name(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// What one finished task found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TaskResult {
    /// Best energy of the run.
    pub best_energy: f64,
    /// Step at which the best was first reached.
    pub best_step: u64,
    /// Steps run.
    pub steps: u64,
    /// The known optimum of the instance, if any.
    pub optimum: Option<f64>,
    /// First step at which the optimum was reached, if it was.
    pub optimum_step: Option<u64>,
    /// A best-known value that is not a proven optimum (a Gset graph's best-known cut),
    /// and whether the run reached it: reported apart from success.
    pub best_known: Option<BestKnown>,
}

/// A best-known value (in the kind's own counter, e.g. a cut) and whether a run reached it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BestKnown {
    /// The best-known value.
    pub value: f64,
    /// Whether the run's best reached it (or passed it).
    pub reached: bool,
}

impl TaskResult {
    /// A result with no known optimum.
    pub fn new(best_energy: f64, best_step: u64, steps: u64) -> Self {
        Self { best_energy, best_step, steps, optimum: None, optimum_step: None, best_known: None }
    }

    /// The same result judged against a known `optimum`: reached when the best energy
    /// is within a relative 1e-9 of it or better (`minimize` says which side is better),
    /// and then first reached at `best_step` (the best only changes on improvement).
    pub fn against_optimum(mut self, optimum: f64, minimize: bool) -> Self {
        let gap = if minimize { self.best_energy - optimum } else { optimum - self.best_energy };
        self.optimum = Some(optimum);
        self.optimum_step = (gap <= 1e-9 * optimum.abs().max(1.0)).then_some(self.best_step);
        self
    }

    /// Whether the run reached the known optimum.
    pub fn reached_optimum(&self) -> bool {
        self.optimum_step.is_some()
    }
}

/// Steps between two looks at the cancel flag in [`anneal_task`]: a few milliseconds
/// of the slowest problem, so a deleted experiment stops promptly.
const CANCEL_CHECK_STEPS: u64 = 4_096;

/// Run `annealer` to its end, checking `cancel` every few thousand steps, and report
/// against `optimum` when the instance has one. Returns an error if cancelled.
pub fn anneal_task<P: Problem>(
    annealer: &mut Annealer<P>,
    cancel: &AtomicBool,
    optimum: Option<f64>,
) -> Result<TaskResult, TaskError> {
    while !annealer.is_complete() {
        if cancel.load(Ordering::Relaxed) {
            return Err(TaskError::new("cancelled"));
        }
        annealer.run(CANCEL_CHECK_STEPS);
    }
    let result =
        TaskResult::new(annealer.best_energy(), annealer.snapshot().best_step, annealer.steps_done());
    let minimize = annealer.config().direction.sign() > 0.0;
    Ok(match optimum {
        Some(optimum) => result.against_optimum(optimum, minimize),
        None => result,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_optimum_is_reached_from_the_better_side_only() {
        let r = TaskResult::new(7542.0, 900, 1000);
        assert_eq!(r.against_optimum(7542.0, true).optimum_step, Some(900));
        assert!(!TaskResult::new(7543.0, 9, 10).against_optimum(7542.0, true).reached_optimum());
        assert!(TaskResult::new(-3.0, 9, 10).against_optimum(-2.0, true).reached_optimum());
        assert!(!TaskResult::new(-3.0, 9, 10).against_optimum(-2.0, false).reached_optimum());
        assert!(TaskResult::new(120.0, 9, 10).against_optimum(120.0, false).reached_optimum());
    }

    #[test]
    fn an_error_reads_field_first() {
        assert_eq!(
            TaskError::field("instance", "no such instance 'x'").to_string(),
            "instance: no such instance 'x'"
        );
        assert_eq!(TaskError::new("boom").to_string(), "boom");
    }
}
