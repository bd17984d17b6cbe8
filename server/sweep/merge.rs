//! `kiln sweep merge`: shard outputs joined into the result of the whole experiment.
//!
//! Every file must carry the same plan (compared in canonical form) and together the
//! files must hold each task of the plan exactly once: a missing or repeated task, or a
//! task line that does not match the plan, is an error naming the task and the files.
//! The merged summary is computed by the same code as an unsharded run's, from the
//! records sorted by id, so it is identical to it but for the timing fields: wall time
//! from the earliest shard start to the latest shard end, and the speedup over it.

use std::collections::HashMap;
use std::io::Write;

use crate::sweep::output::{RunOutput, summary_line, task_line};
use crate::sweep::plan::{Plan, PlanError, PlanLimits};
use crate::sweep::record::TaskRecord;
use crate::sweep::summary::{Summary, Timing};

/// Why files cannot be merged.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum MergeError {
    /// Nothing to merge.
    #[error("no files to merge")]
    NoFiles,
    /// Two files from different experiments.
    #[error("{other} is from a different experiment than {first} (their plans differ)")]
    PlanMismatch {
        /// The first file.
        first: String,
        /// The file whose plan differs.
        other: String,
    },
    /// A plan that does not parse.
    #[error("{name}: the plan in its execution_complete line is invalid: {error}")]
    BadPlan {
        /// The file.
        name: String,
        /// Why.
        error: PlanError,
    },
    /// A task line that is not a task of the plan.
    #[error("{name}: task {task_id} (group {group}, seed {seed}) is not a task of the plan")]
    Foreign {
        /// The file.
        name: String,
        /// Its id.
        task_id: u64,
        /// Its group.
        group: u64,
        /// Its seed.
        seed: u64,
    },
    /// The same task twice.
    #[error("task {task_id} appears twice: in {first} and in {second}")]
    Duplicate {
        /// The task.
        task_id: u64,
        /// Where first.
        first: String,
        /// Where again.
        second: String,
    },
    /// Tasks in no file.
    #[error("{missing} of {total} tasks are in no file (the first: {first}); is a shard missing?")]
    Missing {
        /// How many.
        missing: u64,
        /// Tasks of the plan.
        total: u64,
        /// The lowest missing id.
        first: u64,
    },
}

/// The whole experiment, joined from its shards.
#[derive(Clone, Debug, PartialEq)]
pub struct Merged {
    plan: Plan,
    records: Vec<TaskRecord>,
    summary: Summary,
}

impl Merged {
    /// The plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Every task's record, sorted by id.
    pub fn records(&self) -> &[TaskRecord] {
        &self.records
    }

    /// The summary of the whole experiment.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Write the task lines in id order, then the summary line.
    pub fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        for record in &self.records {
            writeln!(out, "{}", task_line(record))?;
        }
        writeln!(out, "{}", summary_line(&self.plan, &self.summary))
    }
}

/// Join shard outputs into the whole experiment's result.
pub fn merge(outputs: Vec<RunOutput>) -> Result<Merged, MergeError> {
    let first = outputs.first().ok_or(MergeError::NoFiles)?;
    if let Some(other) = outputs.iter().find(|o| o.plan != first.plan) {
        return Err(MergeError::PlanMismatch { first: first.name.clone(), other: other.name.clone() });
    }
    // Unbounded: the count is checked against the task lines before anything is built.
    let plan = Plan::parse(&first.plan, &PlanLimits::unbounded())
        .map_err(|error| MergeError::BadPlan { name: first.name.clone(), error })?;

    let mut owner: HashMap<u64, &str> = HashMap::new();
    for output in &outputs {
        for r in &output.records {
            if !plan.task(r.task_id).is_some_and(|t| r.matches(&t)) {
                let (task_id, group, seed) = (r.task_id, r.group, r.seed);
                return Err(MergeError::Foreign { name: output.name.clone(), task_id, group, seed });
            }
            if let Some(first) = owner.insert(r.task_id, &output.name) {
                let (first, second) = (first.to_owned(), output.name.clone());
                return Err(MergeError::Duplicate { task_id: r.task_id, first, second });
            }
        }
    }
    let total = plan.task_count();
    if (owner.len() as u64) < total {
        let first = (0..total).find(|id| !owner.contains_key(id)).unwrap_or(0);
        return Err(MergeError::Missing { missing: total - owner.len() as u64, total, first });
    }

    let started_at = outputs.iter().map(|o| o.summary.started_at).min().unwrap_or(0);
    let finished_at = outputs.iter().map(|o| o.summary.finished_at).max().unwrap_or(0);
    let mut records: Vec<TaskRecord> = outputs.into_iter().flat_map(|o| o.records).collect();
    records.sort_by_key(|r| r.task_id);
    let task_time_ms = records.iter().map(|r| r.execution_time_ms).sum();
    let wall_ms = finished_at.saturating_sub(started_at) as f64;
    let summary =
        Summary::new(&plan, None, &records, task_time_ms, Timing { wall_ms, started_at, finished_at });
    Ok(Merged { plan, records, summary })
}
