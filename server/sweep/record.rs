//! `TaskRecord`: one finished task, as the `task_complete` event carries it, as
//! `kiln sweep` writes it (one JSON line) and as `merge` reads it back.
//!
//! Timing fields (`execution_time_ms`, `timestamp`) are the only ones that differ
//! between two runs of the same plan; everything else is a pure function of the task.

use serde::{Deserialize, Serialize};

use crate::sweep::plan::TaskRef;
use crate::sweep::runner::{TaskError, TaskResult};

/// How a task ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    /// It ran to its end.
    Success,
    /// It failed; `error` says why.
    Error,
}

/// One finished task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskRecord {
    /// Stable id within the plan.
    pub task_id: u64,
    /// Index of its parameter set.
    pub group: u64,
    /// Its seed.
    pub seed: u64,
    /// Success or error.
    pub status: TaskStatus,
    /// Best energy (null on error).
    pub best_energy: Option<f64>,
    /// Step of the best (null on error).
    pub best_step: Option<u64>,
    /// Steps run (null on error).
    pub steps: Option<u64>,
    /// Whether the known optimum was reached; null when the task was not judged (it
    /// failed, or its instance has no known optimum).
    pub reached_optimum: Option<bool>,
    /// The known optimum, if any.
    pub optimum: Option<f64>,
    /// First step at the optimum, if reached.
    pub optimum_step: Option<u64>,
    /// A best-known value that is not a proven optimum (a Gset graph's best-known cut,
    /// in cut units), when the instance has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_known: Option<f64>,
    /// Whether the run reached that best-known value (absent when there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reached_best_known: Option<bool>,
    /// Why it failed (only on error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<TaskError>,
    /// Time the task took, in milliseconds.
    pub execution_time_ms: f64,
    /// When it finished, in milliseconds since the Unix epoch.
    pub timestamp: u64,
}

impl TaskRecord {
    /// The record of `task` ending with `outcome`.
    pub fn new(
        task: TaskRef,
        outcome: Result<TaskResult, TaskError>,
        execution_time_ms: f64,
        timestamp: u64,
    ) -> Self {
        let mut record = Self {
            task_id: task.id,
            group: task.group,
            seed: task.seed,
            status: TaskStatus::Success,
            best_energy: None,
            best_step: None,
            steps: None,
            reached_optimum: None,
            optimum: None,
            optimum_step: None,
            best_known: None,
            reached_best_known: None,
            error: None,
            execution_time_ms,
            timestamp,
        };
        match outcome {
            Ok(r) => {
                record.best_energy = Some(r.best_energy);
                record.best_step = Some(r.best_step);
                record.steps = Some(r.steps);
                record.reached_optimum = r.optimum.map(|_| r.reached_optimum());
                record.optimum = r.optimum;
                record.optimum_step = r.optimum_step;
                record.best_known = r.best_known.map(|b| b.value);
                record.reached_best_known = r.best_known.map(|b| b.reached);
            }
            Err(e) => {
                record.status = TaskStatus::Error;
                record.error = Some(e);
            }
        }
        record
    }

    /// Whether the task ran to its end.
    pub fn succeeded(&self) -> bool {
        self.status == TaskStatus::Success
    }

    /// Whether this record belongs to `task` of the plan (same id, group and seed).
    pub fn matches(&self, task: &TaskRef) -> bool {
        self.task_id == task.id && self.group == task.group && self.seed == task.seed
    }
}
