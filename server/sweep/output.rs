//! The line format of `kiln sweep`: one JSON line per task, then one summary line.
//!
//! ```text
//! {"event":"task_complete","task_id":0,"group":0,"seed":0,"status":"success",...}
//! ...
//! {"event":"execution_complete","plan":{"base":..,"vary":..,"seeds":..},"shard":"1/3",...}
//! ```
//!
//! A task line is the `task_complete` event's data and the summary line the
//! `execution_complete` data, each with an `event` key naming it; the summary line
//! also carries the plan in canonical form, so `merge` can tell which shards belong
//! together. Task lines are written as tasks finish (a shard killed half-way keeps what
//! it did); readers sort by `task_id`. [`read_output`] reads a file back, naming the
//! file and line of anything wrong.

use std::io::BufRead;

use serde::Serialize;
use serde_json::Value;

use crate::sweep::event::SweepEvent;
use crate::sweep::plan::Plan;
use crate::sweep::record::TaskRecord;
use crate::sweep::summary::Summary;

/// The output line of `event` in a run of `plan`: a task line for `task_complete`, the
/// summary line for `execution_complete`, none for the others. Write each as it comes.
pub fn event_line(plan: &Plan, event: &SweepEvent) -> Option<String> {
    match event {
        SweepEvent::TaskComplete(record) => Some(task_line(record)),
        SweepEvent::ExecutionComplete(summary) => Some(summary_line(plan, summary)),
        SweepEvent::TaskStart(_) | SweepEvent::TaskFailed(_) => None,
    }
}

/// The line of one finished task.
pub fn task_line(record: &TaskRecord) -> String {
    #[derive(Serialize)]
    struct Line<'a> {
        event: &'static str,
        #[serde(flatten)]
        record: &'a TaskRecord,
    }
    serde_json::to_string(&Line { event: "task_complete", record }).expect("a task record serialises")
}

/// The summary line of a run of `plan`.
pub fn summary_line(plan: &Plan, summary: &Summary) -> String {
    #[derive(Serialize)]
    struct Line<'a> {
        event: &'static str,
        plan: Value,
        #[serde(flatten)]
        summary: &'a Summary,
    }
    serde_json::to_string(&Line { event: "execution_complete", plan: plan.to_json(), summary })
        .expect("a summary serialises")
}

/// A file of task lines and a summary line, read back.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOutput {
    /// The file's name, for messages.
    pub name: String,
    /// The plan from the summary line, in canonical form.
    pub plan: Value,
    /// The task records in file order.
    pub records: Vec<TaskRecord>,
    /// The summary.
    pub summary: Summary,
}

/// Something wrong in an output file.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The file could not be read.
    #[error("{name}: {source}")]
    Io {
        /// The file.
        name: String,
        /// Why.
        source: std::io::Error,
    },
    /// A line that is not one of ours.
    #[error("{name} line {line}: {message}")]
    Line {
        /// The file.
        name: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// No summary line: the run did not finish.
    #[error("{0}: no execution_complete line at the end; did this run finish?")]
    Unfinished(String),
}

/// Read an output file (`name` is for messages). Blank lines are skipped; a task line
/// after the summary line is an error (two runs appended to one file).
pub fn read_output(name: &str, reader: impl BufRead) -> Result<RunOutput, OutputError> {
    let mut records = Vec::new();
    let mut end: Option<(Value, Summary)> = None;
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|source| OutputError::Io { name: name.into(), source })?;
        let bad = |message: String| OutputError::Line { name: name.into(), line: i + 1, message };
        if line.trim().is_empty() {
            continue;
        }
        if end.is_some() {
            return Err(bad("a line after the execution_complete line".into()));
        }
        let mut value: Value = serde_json::from_str(&line).map_err(|e| bad(format!("not JSON: {e}")))?;
        let event = value.as_object_mut().and_then(|o| o.remove("event"));
        let plan = value.as_object_mut().and_then(|o| o.remove("plan"));
        match event.as_ref().and_then(Value::as_str) {
            Some("task_complete") => {
                records.push(serde_json::from_value(value).map_err(|e| bad(format!("task_complete: {e}")))?)
            }
            Some("execution_complete") => {
                let plan = plan.ok_or_else(|| bad("execution_complete: no plan".into()))?;
                let summary =
                    serde_json::from_value(value).map_err(|e| bad(format!("execution_complete: {e}")))?;
                end = Some((plan, summary));
            }
            _ => return Err(bad("expected an \"event\" of task_complete or execution_complete".into())),
        }
    }
    let (plan, summary) = end.ok_or_else(|| OutputError::Unfinished(name.into()))?;
    Ok(RunOutput { name: name.into(), plan, records, summary })
}
