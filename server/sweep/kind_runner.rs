//! [`KindRunner`]: the [`TaskRunner`] of every registered problem kind, through the
//! registry's own resolver, so an experiment runs any built-in or user-registered kind
//! with the same parameters, defaults and checks as `POST /api/sa/configure` and
//! `kiln run`.
//!
//! A task's parameters are the flat request of a run (`problem`, the kind's own
//! parameters, `schedule`, ...) plus `steps`, the total over all cycles as `kiln run --steps`
//! gives it. The seed is the task's; `batch` is always 1 (the experiment's
//! parallelism is across tasks, one per core, and batch 1 keeps each task's result
//! the same whatever the machine), and a tempering task's replicas take turns on its
//! one thread for the same reason (the result is the same on any thread count). The known optimum is the kind's `optimal_energy`
//! (a proven optimum the kind knows, or the user's `optimal_energy`, or none); a task
//! whose run reports no optimum is not judged (its success rate is null). A
//! best-known value that is not proven (a Gset graph's `best_known_cut`, beside the
//! run's `best_cut`) is reported apart, as `best_known` and `reached_best_known`.
//!
//! [`TaskRunner::planned_steps`] checks every value against the kind's table and lets
//! the kind make its spec (so a bad name or a value out of range refuses the
//! experiment before it starts); a failure only when the problem is built (a formula
//! no molecule has, an uploaded instance that does not parse) is left to the tasks, each of
//! which then reports it as its `error` while the others go on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};

use kiln_engine::{AnnealConfig, ReplayRecord};
use serde_json::{Value, json};

use crate::kinds::settings::{ignored_params, settings};
use crate::kinds::{ParamError, Registry, Request, Run, Scope, Spec, check};
use crate::sweep::plan::Params;
use crate::sweep::runner::{BestKnown, TaskError, TaskResult, TaskRunner};

/// Steps between two looks at the cancel flag: a few milliseconds of any kind.
const CANCEL_CHECK_STEPS: u64 = 4_096;

/// The parameter giving a task's total steps over all cycles.
pub const STEPS_FIELD: &str = "steps";

/// Runs tasks of any kind of a registry.
#[derive(Clone)]
pub struct KindRunner {
    registry: Arc<Registry>,
    outputs: TaskOutputs,
}

/// What a task's result carries beyond its numbers.
#[derive(Clone, Copy, Debug, Default)]
pub struct TaskOutputs {
    /// The best state (`kiln sweep --best-state`; a large instance's state is large).
    pub best_state: bool,
    /// The task's settings (version, instance, spec, resolved config).
    pub settings: bool,
}

impl KindRunner {
    /// A runner over `registry`'s kinds.
    pub fn new(registry: Arc<Registry>) -> Self {
        Self { registry, outputs: TaskOutputs::default() }
    }

    /// The same runner, its results carrying `outputs`.
    pub fn with_outputs(self, outputs: TaskOutputs) -> Self {
        Self { outputs, ..self }
    }

    /// The resolver's request for `params` with `seed` and batch 1.
    fn request(params: &Params, seed: Option<u64>) -> Result<Request, TaskError> {
        let mut values = params.clone();
        let steps = match values.remove(STEPS_FIELD) {
            None => None,
            Some(v) => Some(v.as_u64().filter(|&n| n > 0).ok_or_else(|| {
                let hint = if v.is_null() { "; leave it out to use the kind's default" } else { "" };
                TaskError::field(STEPS_FIELD, format!("must be a whole number of at least 1, not {v}{hint}"))
            })?),
        };
        values.insert("batch".into(), json!(1));
        if let Some(seed) = seed {
            values.insert("seed".into(), json!(seed));
        }
        Ok(Request::from_map(values, Scope::Headless).with_total_steps(steps))
    }

    /// Whether the values that `resolve` refused pass the table and the spec and then
    /// fail only when the problem is built (`Ok(true)`); a table or spec error is returned.
    fn fails_only_at_build(&self, params: &Params) -> Result<bool, ParamError> {
        let kind = check::pick_kind(&self.registry, params)?;
        check::check_values(&self.registry, kind, params, &[STEPS_FIELD])?;
        let spec = kind.spec(&self.registry.spec_values(kind, params.clone(), Scope::Headless))?;
        Ok(kind.build(&spec).is_err())
    }

    /// Task (`params`, `seed`) run again with a checkpoint every hundredth of it, as a
    /// replay record `kiln replay` verifies. Blocking: runs the whole task.
    pub fn record(&self, params: &Params, seed: u64) -> Result<ReplayRecord<Spec>, TaskError> {
        self.record_unless(params, seed, &|| false).map(|r| r.expect("never stopped"))
    }

    /// [`KindRunner::record`], stopping within a few milliseconds once `stop` says
    /// so (`Ok(None)` then).
    pub fn record_unless(
        &self,
        params: &Params,
        seed: u64,
        stop: &dyn Fn() -> bool,
    ) -> Result<Option<ReplayRecord<Spec>>, TaskError> {
        let request = Self::request(params, Some(seed))?;
        let (spec, _, run) = self.start(&request)?;
        let total = run.total_steps();
        Ok(run.record_unless(&spec, total, (total / 100).max(1), stop))
    }

    /// The task's spec, config and run, its replicas (a tempering task's) on one
    /// thread: the experiment already runs a task per core, and replicas on a pool of
    /// their own beside it would put cores x cores threads on the cores. The threads
    /// change how fast a task runs, never its result.
    fn start(&self, request: &Request) -> Result<(Spec, AnnealConfig, Run), TaskError> {
        let resolved = self.registry.resolve(request).map_err(task_error)?;
        let run = match resolved.config.tempering {
            Some(_) => resolved.run.with_pool(ONE_THREAD.clone()),
            None => resolved.run,
        };
        Ok((resolved.spec, resolved.config, run))
    }
}

/// The pool a tempering task's replicas are given: one thread, so they run in turn on
/// the task's own thread (a run never hands work to a pool of one).
static ONE_THREAD: LazyLock<Arc<rayon::ThreadPool>> = LazyLock::new(|| {
    Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "kiln-task-replicas".into())
            .build()
            .expect("one thread"),
    )
});

fn task_error(e: ParamError) -> TaskError {
    if e.field.is_empty() { TaskError::new(e.message) } else { TaskError::field(e.field, e.message) }
}

impl TaskRunner for KindRunner {
    fn planned_steps(&self, params: &Params) -> Result<u64, TaskError> {
        let request = Self::request(params, None)?;
        match self.registry.resolve(&request) {
            Ok(resolved) => Ok(resolved.config.total_steps()),
            // A value the table, the spec or the config refuses refuses the experiment;
            // one that fails only when the problem is built fails its tasks alone
            // (they run no steps).
            Err(e) => match self.fails_only_at_build(params) {
                Ok(true) => Ok(0),
                Ok(false) => Err(task_error(e)),
                Err(table) => Err(task_error(table)),
            },
        }
    }

    fn run(&self, params: &Params, seed: u64, cancel: &AtomicBool) -> Result<TaskResult, TaskError> {
        let request = Self::request(params, Some(seed))?;
        let given: Vec<String> = request.values().keys().cloned().collect();
        let (spec, config, mut run) = self.start(&request)?;
        while !run.is_complete() {
            if cancel.load(Ordering::Relaxed) {
                return Err(TaskError::new("cancelled"));
            }
            run.run(CANCEL_CHECK_STEPS);
        }
        let s = run.snapshot();
        let result = TaskResult::new(s.best_energy, s.best_step, run.steps_done());
        let minimize = run.config().direction.sign() > 0.0;
        let progress = run.progress();
        let counter = |name: &str| progress.extra.get(name).and_then(Value::as_f64);
        let best_known = match (counter("best_known_cut"), counter("best_cut")) {
            (Some(value), Some(best)) => Some(BestKnown { value, reached: best >= value }),
            _ => None,
        };
        let best_state = if self.outputs.best_state { run.best_state() } else { None };
        let settings = self.outputs.settings.then(|| {
            let mut settings = settings(&self.registry, &spec, &run, &config);
            let ignored = ignored_params(config.schedule.name(), given.iter().map(String::as_str));
            settings["ignored_params"] = json!(ignored);
            settings
        });
        let result = TaskResult { best_known, best_state, settings, ..result };
        Ok(match progress.optimal_energy {
            Some(optimum) => result.against_optimum(optimum, minimize),
            None => result,
        })
    }
}
