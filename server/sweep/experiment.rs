//! `Experiment`: a checked plan with the runner of its kind, run across the cores.
//!
//! Tasks run on a [`SweepPool`], rayon's own pool of N threads, one task per worker at
//! a time (the runner uses batch 1 inside, and a tempering task's replicas take turns
//! on its thread, so nothing is nested). Each rayon item
//! claims the next task id in order under the event lock and emits its `task_start`
//! there, so starts come in task id order and a task's start always precedes its
//! completion; completions come as tasks finish. The summary is computed from the
//! records sorted by id, so only the timing fields depend on the thread count.
//!
//! A task that fails (an `Err`, or a panic in the runner, which is caught) yields an
//! `error` event and a `task_complete` with status `error`, and the others go on.
//! Setting the cancel flag (a deleted experiment, a stopping server) stops claiming
//! tasks at once and tells the running ones to stop (see [`TaskRunner::run`]); their
//! results are dropped, no `execution_complete` is sent, and the tasks completed so
//! far are returned so a restarted server can keep them and rerun the rest
//! ([`RunOptions::completed`]).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;

use crate::sweep::event::{SweepEvent, TaskFailed, TaskStart};
use crate::sweep::plan::{Params, Plan, PlanError, PlanLimits};
use crate::sweep::record::TaskRecord;
use crate::sweep::runner::{TaskError, TaskRunner};
use crate::sweep::shard::Shard;
use crate::sweep::summary::{Summary, Timing};

/// Most worker threads a pool may have.
pub const MAX_THREADS: usize = 256;

/// The threads experiments run on: one rayon pool, shared by every experiment of a
/// server so that two experiments at once share the cores instead of oversubscribing.
pub struct SweepPool {
    pool: rayon::ThreadPool,
}

impl SweepPool {
    /// A pool of `threads` workers (0: one per core).
    pub fn new(threads: usize) -> Result<Self, String> {
        if threads > MAX_THREADS {
            return Err(format!("threads: must be 0 (one per core) to {MAX_THREADS}, not {threads}"));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("kiln-sweep-{i}"))
            .build()
            .map_err(|e| format!("threads: could not start {threads} worker threads: {e}"))?;
        Ok(Self { pool })
    }

    /// Number of worker threads.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }
}

/// How to run an experiment.
pub struct RunOptions<'a> {
    /// Which tasks to run ([`Shard::whole`] for all).
    pub shard: Shard,
    /// Set it to stop the run.
    pub cancel: &'a AtomicBool,
    /// Tasks already done (from before a restart): not run again, not re-announced, but
    /// counted in the summary. Records that do not match the plan and shard are rerun.
    pub completed: Vec<TaskRecord>,
}

impl<'a> RunOptions<'a> {
    /// Every task, from scratch, stopped by `cancel`.
    pub fn new(cancel: &'a AtomicBool) -> Self {
        Self { shard: Shard::whole(), cancel, completed: Vec::new() }
    }
}

/// A finished run: every task's record in id order, and the summary.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Records of the run's tasks (those of its shard), sorted by task id.
    pub records: Vec<TaskRecord>,
    /// The summary (also sent as `execution_complete`).
    pub summary: Summary,
}

/// A run stopped by its cancel flag, with the tasks that had completed, sorted by id.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("experiment cancelled after {} completed tasks", completed.len())]
pub struct Cancelled {
    /// The completed tasks.
    pub completed: Vec<TaskRecord>,
}

/// A plan checked against its kind, ready to run.
pub struct Experiment<R> {
    plan: Plan,
    runner: R,
    /// Parameters of each group, built once and shared by its tasks' events.
    params: Vec<Arc<Params>>,
    /// Steps of one task of each group.
    steps_per_task: Vec<u64>,
    total_steps: u64,
}

impl<R: TaskRunner> Experiment<R> {
    /// Check every parameter set with the runner and bound the total steps. A runner
    /// error about parameter `p` is reported as `vary.p` or `base.p`.
    pub fn new(plan: Plan, runner: R, limits: &PlanLimits) -> Result<Self, PlanError> {
        Self::checked(plan, runner, limits, &mut |_| Ok(()))
    }

    /// [`Experiment::new`], calling `after_group(n)` once `n` parameter sets are
    /// checked (each check may build a problem); its error stops the check and is
    /// returned. [`crate::sweep::price::Pricer::check`] prices the build this way.
    pub fn checked(
        plan: Plan,
        runner: R,
        limits: &PlanLimits,
        after_group: &mut dyn FnMut(u64) -> Result<(), PlanError>,
    ) -> Result<Self, PlanError> {
        let mut params = Vec::with_capacity(plan.group_count() as usize);
        let mut steps_per_task = Vec::with_capacity(plan.group_count() as usize);
        let mut total: u128 = 0;
        for index in 0..plan.group_count() {
            let Some(group) = plan.group(index) else { break };
            let steps = runner.planned_steps(group.params()).map_err(|e| placed(&plan, &group.key(), e))?;
            total += u128::from(steps) * u128::from(plan.seed_count());
            steps_per_task.push(steps);
            params.push(Arc::new(group.params().clone()));
            after_group(index + 1)?;
        }
        if total > u128::from(limits.max_total_steps) {
            return Err(PlanError::new(
                "seeds",
                format!(
                    "{} tasks would run {total} steps in all, above the limit of {}",
                    plan.task_count(),
                    limits.max_total_steps
                ),
            ));
        }
        Ok(Self { plan, runner, params, steps_per_task, total_steps: total as u64 })
    }

    /// The plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Steps of one task of each parameter set, in group order (what each task will run).
    pub fn steps_per_task(&self) -> &[u64] {
        &self.steps_per_task
    }

    /// Steps of all tasks together.
    pub fn total_steps(&self) -> u64 {
        self.total_steps
    }

    /// Run the tasks of `options.shard` on `pool`, handing every event to `on_event`
    /// (called under a lock, one event at a time; keep it short). Blocks until done:
    /// call it off any async reactor. `Err` if cancelled.
    pub fn run(
        &self,
        pool: &SweepPool,
        options: RunOptions<'_>,
        on_event: impl FnMut(SweepEvent) + Send,
    ) -> Result<Report, Cancelled> {
        let RunOptions { shard, cancel, completed } = options;
        let mut done: Vec<TaskRecord> = completed
            .into_iter()
            .filter(|r| shard.contains(r.task_id) && self.plan.task(r.task_id).is_some_and(|t| r.matches(&t)))
            .collect();
        done.sort_by_key(|r| r.task_id);
        done.dedup_by_key(|r| r.task_id);
        let todo: Vec<u64> = shard
            .task_ids(self.plan.task_count())
            .filter(|id| done.binary_search_by_key(id, |r| r.task_id).is_err())
            .collect();

        let started_at = unix_ms();
        let wall = Instant::now();
        let state = Mutex::new(Progress { on_event, claimed: 0, records: Vec::with_capacity(todo.len()) });
        pool.pool.install(|| {
            (0..todo.len()).into_par_iter().with_max_len(1).for_each(|_| self.run_one(&todo, &state, cancel));
        });
        let Progress { mut on_event, records, .. } = state.into_inner().unwrap_or_else(|e| e.into_inner());
        let task_time_ms: f64 = records.iter().map(|r| r.execution_time_ms).sum();
        done.extend(records);
        done.sort_by_key(|r| r.task_id);
        if cancel.load(Ordering::Relaxed) {
            return Err(Cancelled { completed: done });
        }
        let timing =
            Timing { wall_ms: wall.elapsed().as_secs_f64() * 1e3, started_at, finished_at: unix_ms() };
        let shard = (shard != Shard::whole()).then_some(shard);
        let summary = Summary::new(&self.plan, shard, &done, task_time_ms, timing);
        on_event(SweepEvent::ExecutionComplete(summary.clone()));
        Ok(Report { records: done, summary })
    }

    /// One rayon item: claim the next task in order, announce it, run it, report it.
    fn run_one<F: FnMut(SweepEvent)>(&self, todo: &[u64], state: &Mutex<Progress<F>>, cancel: &AtomicBool) {
        if cancel.load(Ordering::Relaxed) {
            return;
        }
        let task = {
            let mut s = lock(state);
            let Some(task) = todo.get(s.claimed).and_then(|&id| self.plan.task(id)) else { return };
            s.claimed += 1;
            let params = Arc::clone(&self.params[task.group as usize]);
            let start = TaskStart {
                task_id: task.id,
                group: task.group,
                params,
                seed: task.seed,
                timestamp: unix_ms(),
            };
            (s.on_event)(SweepEvent::TaskStart(start));
            task
        };
        let params = &self.params[task.group as usize];
        let clock = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| self.runner.run(params, task.seed, cancel)))
            .unwrap_or_else(|panic| {
                Err(TaskError::new(format!("the run panicked: {}", panic_text(&*panic))))
            });
        let ms = clock.elapsed().as_secs_f64() * 1e3;
        if cancel.load(Ordering::Relaxed) {
            return;
        }
        let record = TaskRecord::new(task, outcome, ms, unix_ms());
        let mut s = lock(state);
        if let Some(failed) = TaskFailed::of(&record) {
            (s.on_event)(SweepEvent::TaskFailed(failed));
        }
        (s.on_event)(SweepEvent::TaskComplete(record.clone()));
        s.records.push(record);
    }
}

/// What the workers share: the event callback, the next task to claim, the records.
struct Progress<F> {
    on_event: F,
    claimed: usize,
    records: Vec<TaskRecord>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic in the callback poisons the lock; the data is still consistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A runner's error about parameter `p`, placed under `vary.p` (naming the set) or `base.p`.
fn placed(plan: &Plan, group_key: &str, e: TaskError) -> PlanError {
    match e.field_name() {
        Some(f) if plan.varies(f) => {
            PlanError::new(format!("vary.{f}"), format!("{} (in {group_key})", e.message()))
        }
        Some(f) => PlanError::new(format!("base.{f}"), e.message()),
        None => PlanError::new("base", e.message()),
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}
