//! Experiments: many annealing runs at once (DESIGN.md section 9).
//!
//! An experiment is a grid of parameter sets x seeds; each task is one ordinary run,
//! a pure function of its (parameters, seed). This module is the kind-independent
//! core; the kinds, HTTP/SSE and `kiln sweep` wire onto it:
//!
//! * [`plan`]: the plan (`base`, `vary`, `seeds`) read from JSON, checked and
//!   bounded, numbered into tasks with stable ids and group keys;
//! * [`runner`]: [`TaskRunner`], what a kind implements, and [`anneal_task`] to run
//!   any engine problem as a task;
//! * [`kind_runner`]: [`KindRunner`], the runner of every registered kind;
//! * [`price`]: [`Pricer`] prices building a plan's problems as it is checked, and
//!   refuses one over its [`BuildBudget`] after building a set or two;
//! * [`experiment`]: [`Experiment`] runs the tasks on a [`SweepPool`] (rayon, one
//!   task per thread), streaming [`SweepEvent`]s, stopping on a cancel flag;
//! * [`event`], [`record`], [`summary`]: what it emits and reports, with [`tts`]
//!   the time to solution of each parameter set;
//! * [`shard`]: `--shard I/N` and `--shard auto` (Slurm, Kubernetes);
//! * [`output`] and [`merge`]: the JSON-lines files of `kiln sweep` and joining shards;
//! * [`csv`]: the tasks as CSV, one row per task, the parameters as columns.
//!
//! ```
//! use std::sync::atomic::AtomicBool;
//! use kiln::sweep::{Experiment, Params, Plan, PlanLimits, RunOptions, SweepPool};
//! use kiln::sweep::{TaskError, TaskResult, TaskRunner};
//!
//! /// A stand-in kind: the "best energy" is the seed times `scale`.
//! struct Scaled;
//! impl TaskRunner for Scaled {
//!     fn planned_steps(&self, _: &Params) -> Result<u64, TaskError> { Ok(1) }
//!     fn run(&self, p: &Params, seed: u64, _: &AtomicBool) -> Result<TaskResult, TaskError> {
//!         let scale = p["scale"].as_f64().ok_or_else(|| TaskError::field("scale", "not a number"))?;
//!         Ok(TaskResult::new(seed as f64 * scale, 1, 1))
//!     }
//! }
//!
//! let limits = PlanLimits::default();
//! let plan = Plan::parse(&serde_json::json!({"vary": {"scale": [1, 2]}, "seeds": 3}), &limits).unwrap();
//! let experiment = Experiment::new(plan, Scaled, &limits).unwrap();
//! let cancel = AtomicBool::new(false);
//! let mut names = Vec::new();
//! let report = experiment.run(&SweepPool::new(2).unwrap(), RunOptions::new(&cancel), |e| names.push(e.name())).unwrap();
//! assert_eq!(report.summary.completed_count, 6);
//! assert_eq!(report.summary.groups[1].best_energy.unwrap().max, 4.0);
//! assert_eq!(names.last(), Some(&"execution_complete"));
//! ```

pub mod csv;
pub mod event;
pub mod experiment;
pub mod kind_runner;
pub mod merge;
pub mod output;
pub mod plan;
pub mod price;
pub mod record;
pub mod runner;
pub mod shard;
pub mod summary;
pub mod tts;

pub use csv::{csv_text, write_csv};
pub use event::{SweepEvent, TaskFailed, TaskStart};
pub use experiment::{Cancelled, Experiment, Report, RunOptions, SweepPool};
pub use kind_runner::{KindRunner, TaskOutputs};
pub use merge::{MergeError, Merged, merge};
pub use output::{OutputError, RunOutput, event_line, read_output, summary_line, task_line};
pub use plan::{Group, Params, Plan, PlanError, PlanLimits, TaskRef};
pub use price::{BuildBudget, Pricer};
pub use record::{TaskRecord, TaskStatus};
pub use runner::{BestKnown, TaskError, TaskResult, TaskRunner, anneal_task};
pub use shard::{Shard, ShardError};
pub use summary::{GroupSummary, Spread, Summary};
pub use tts::{TimeToSolution, TtsPoint};
