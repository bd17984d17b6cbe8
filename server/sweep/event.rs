//! The events of a running experiment, in the shape DESIGN.md section 9 gives them.
//!
//! The executor hands each event to a callback as it happens; the HTTP layer gives it
//! a sequence id and writes `event: {name()}` / `data: {data_json()}`, and the CLI
//! writes the `task_complete` and `execution_complete` data as JSON lines. Order:
//! `task_start` events come in task id order; a task's `task_start` comes before its
//! `error` (if it failed), which comes before its `task_complete`; completions come as
//! tasks finish; `execution_complete` is last, once, unless the run was cancelled.

use std::sync::Arc;

use serde::Serialize;

use crate::sweep::plan::Params;
use crate::sweep::record::TaskRecord;
use crate::sweep::runner::TaskError;
use crate::sweep::summary::Summary;

/// A task about to run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaskStart {
    /// Stable id within the plan.
    pub task_id: u64,
    /// Index of its parameter set.
    pub group: u64,
    /// The full parameters it runs with (base and varied), without the seed.
    #[serde(serialize_with = "shared_params")]
    pub params: Arc<Params>,
    /// Its seed.
    pub seed: u64,
    /// When it started, in milliseconds since the Unix epoch.
    pub timestamp: u64,
}

fn shared_params<S: serde::Serializer>(params: &Arc<Params>, s: S) -> Result<S::Ok, S::Error> {
    params.as_ref().serialize(s)
}

/// A task that failed (the experiment goes on).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaskFailed {
    /// Always `task_failed`, so the data has the `{code, message}` shape of every error event.
    pub code: &'static str,
    /// The task.
    pub task_id: u64,
    /// Index of its parameter set.
    pub group: u64,
    /// Its seed.
    pub seed: u64,
    /// The parameter at fault, if one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What went wrong (with the field first, when there is one).
    pub message: String,
    /// When it failed, in milliseconds since the Unix epoch.
    pub timestamp: u64,
}

impl TaskFailed {
    /// The error event of a failed task's record, or `None` if it did not fail.
    pub fn of(record: &TaskRecord) -> Option<Self> {
        let error: &TaskError = record.error.as_ref()?;
        Some(Self {
            code: "task_failed",
            task_id: record.task_id,
            group: record.group,
            seed: record.seed,
            field: error.field_name().map(str::to_owned),
            message: error.to_string(),
            timestamp: record.timestamp,
        })
    }
}

/// One event of an experiment.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SweepEvent {
    /// `task_start`.
    TaskStart(TaskStart),
    /// `error`: one task failed.
    TaskFailed(TaskFailed),
    /// `task_complete` (status success or error).
    TaskComplete(TaskRecord),
    /// `execution_complete`: the summary, last.
    ExecutionComplete(Summary),
}

impl SweepEvent {
    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            SweepEvent::TaskStart(_) => "task_start",
            SweepEvent::TaskFailed(_) => "error",
            SweepEvent::TaskComplete(_) => "task_complete",
            SweepEvent::ExecutionComplete(_) => "execution_complete",
        }
    }

    /// The event's data as one line of JSON (no CR or LF, as SSE needs).
    pub fn data_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|e| serde_json::json!({"error": e.to_string()}).to_string())
    }

    /// The task this event is about, if it is about one.
    pub fn task_id(&self) -> Option<u64> {
        match self {
            SweepEvent::TaskStart(e) => Some(e.task_id),
            SweepEvent::TaskFailed(e) => Some(e.task_id),
            SweepEvent::TaskComplete(e) => Some(e.task_id),
            SweepEvent::ExecutionComplete(_) => None,
        }
    }
}
