//! The experiments of a running server (DESIGN.md section 9, docs/experiments.md):
//! their state, their bounded event log, persistence, restore after a restart and
//! their stream's feed. `http::experiments` holds the handlers only.
//!
//! Tasks run on one [`SweepPool`] shared by every experiment of the server (one
//! thread per core, made when the first experiment runs), driven from a plain
//! thread per experiment, never on the async reactor.
//!
//! At most [`MAX_RUNNING`] experiments run at once: [`Experiments::admit`] counts
//! the running ones and adds the new one under one lock, so two creates at the
//! same moment cannot both pass the limit.
//!
//! Experiments survive a restart (DESIGN.md section 8): each one's plan and token go
//! to the store when it is made, and each completed task's record is appended as one
//! row (never rewriting the ones before: an experiment of 10,000 tiny tasks writes
//! each line once) and flushed before its event is kept. A deleted experiment is
//! removed, and so is a finished one that makes room for a new one ([`MAX_KEPT`]),
//! so the store keeps what memory keeps. At the store's quota
//! ([`crate::store::StoreWriter::check_quota`]) new experiments are refused; a
//! running one goes on, its further tasks kept in memory only.
//! [`Experiments::restore`] rebuilds the stored ones (blocking; the server runs it
//! off the reactor once it answers, and a request for an experiment not rebuilt
//! yet waits for it with [`Experiments::get_restored`]): completed tasks are kept
//! (not run or announced again, but counted in the summary) and the rest rerun,
//! each a pure function of its parameters and seed, so the summary equals an
//! uninterrupted one's (timing aside). Event ids go on from the stored last id; the
//! events of the last second before a crash may be missing from a resumed stream.
//!
//! A class experiment's tasks are not run here but handed to phones ([`handed`]):
//! the same state, events, records, summary and store record, filled from outside.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tokio::sync::{Notify, watch};
use uuid::Uuid;

use super::error::LiveError;
use super::event::write_event;
use super::event_log::{After, EventLog, LogLimits, Weighed};
use super::sse::{Feed, Next};
use super::token::same_token;
use crate::kinds::Registry;
use crate::store::{ExperimentRecord, StoreError, StoreWriter, TaskRow};
use crate::sweep::{
    Experiment, KindRunner, Plan, PlanLimits, RunOptions, Summary, SweepEvent, SweepPool, TaskRecord,
};

mod handed;

/// Events an experiment keeps for reconnecting clients (about 2 per task).
pub const MAX_BUFFERED_EVENTS: usize = 4_096;
/// Experiments running at once; more are refused with 429.
pub const MAX_RUNNING: usize = 4;
/// Experiments kept (running or finished); the oldest finished one makes room.
pub const MAX_KEPT: usize = 64;
/// A client catching up gets its missed events in chunks of about this many bytes.
const CHUNK_BYTES: usize = 256 * 1024;

/// Where an experiment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Tasks are running or waiting to.
    Running,
    /// Every task ran; the summary is out.
    Complete,
    /// Deleted, or stopped by a stopping server.
    Cancelled,
}

/// One event of the history.
#[derive(Clone)]
struct Buffered {
    name: &'static str,
    data: String,
}

impl Weighed for Buffered {
    fn wire_bytes(&self) -> usize {
        self.name.len() + self.data.len() + 32
    }
}

/// What changes as an experiment runs.
struct State {
    log: EventLog<Buffered>,
    status: Status,
    started: u64,
    records: Vec<TaskRecord>,
    summary: Option<Summary>,
    /// Its tasks are handed to phones ([`handed`]) rather than run on the pool.
    handed: bool,
}

/// One experiment of the server.
pub struct LiveExperiment {
    id: Uuid,
    token: String,
    created_at: u64,
    plan: Plan,
    cancel: AtomicBool,
    state: Mutex<State>,
    /// The latest event id, for the batch fallback to wait on.
    changed: watch::Sender<u64>,
    /// Woken at every event and at the end, for streams.
    notify: Arc<Notify>,
    /// Where the experiment's record goes.
    store: Arc<StoreWriter>,
    /// A store failure was reported (once, until a write succeeds).
    store_failing: AtomicBool,
}

/// What an experiment record's `results` holds.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredResults {
    /// The completed tasks (stores written before tasks were appended as rows kept
    /// them here; now they are [`TaskRow`]s).
    #[serde(default)]
    tasks: Vec<TaskRecord>,
    /// The id of the last event sent.
    last_event_id: u64,
    /// When the experiment was created, ms since the Unix epoch (0 if unknown).
    #[serde(default)]
    created_at: u64,
    /// Its tasks are handed to phones (a class experiment, [`handed`]), not run here.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    handed: bool,
}

impl LiveExperiment {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new experiment, running, with the tasks of `completed` done.
    fn new(
        id: Uuid,
        token: String,
        plan: Plan,
        completed: StoredResults,
        store: Arc<StoreWriter>,
    ) -> LiveExperiment {
        let (changed, _) = watch::channel(completed.last_event_id);
        LiveExperiment {
            id,
            token,
            created_at: if completed.created_at > 0 { completed.created_at } else { unix_ms() },
            plan,
            cancel: AtomicBool::new(false),
            state: Mutex::new(State {
                log: EventLog::new(
                    completed.last_event_id + 1,
                    LogLimits { events: MAX_BUFFERED_EVENTS, bytes: usize::MAX },
                ),
                status: Status::Running,
                started: completed.tasks.len() as u64,
                handed: completed.handed,
                records: completed.tasks,
                summary: None,
            }),
            changed,
            notify: Arc::new(Notify::new()),
            store,
            store_failing: AtomicBool::new(false),
        }
    }

    /// The id.
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// The control token (deleting needs it).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Whether `presented` is this experiment's token (compared in constant time).
    pub fn token_matches(&self, presented: &str) -> bool {
        same_token(&self.token, presented)
    }

    /// The plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Hand the experiment's record (plan, token, creation time, whether its tasks
    /// are handed out; its tasks are rows of their own) to the store.
    fn persist(&self) {
        let handed = self.state().handed;
        let results =
            StoredResults { tasks: Vec::new(), last_event_id: 0, created_at: self.created_at, handed };
        let record = ExperimentRecord {
            id: self.id,
            plan: self.plan.to_json().to_string(),
            token: self.token.clone(),
            results: serde_json::to_string(&results).unwrap_or_else(|_| "{}".into()),
        };
        if let Err(e) = self.store.upsert_experiment(record) {
            eprintln!("kiln: experiment {}: not saved: {e}", self.id);
        }
    }

    /// Record an event and wake the streams. A completed task's record is on disk
    /// before its event is kept: a task a client saw complete is never run again.
    /// Called from the experiment's thread (blocking), one event at a time.
    fn push(&self, event: &SweepEvent) {
        if let SweepEvent::TaskComplete(record) = event {
            let mut s = self.state();
            s.records.push(record.clone());
            let row = TaskRow {
                experiment: self.id,
                task: record.task_id,
                event_id: s.log.next_id(),
                record: serde_json::to_string(record).unwrap_or_else(|_| "{}".into()),
            };
            drop(s);
            let saved = self.store.put_task(row).and_then(|_| self.store.flush());
            self.report_store(saved);
        }
        let mut s = self.state();
        match event {
            SweepEvent::TaskStart(_) => s.started += 1,
            SweepEvent::TaskComplete(_) => {}
            SweepEvent::ExecutionComplete(summary) => s.summary = Some(summary.clone()),
            SweepEvent::TaskFailed(_) => {}
        }
        let id = s.log.push(Buffered { name: event.name(), data: event.data_json() });
        drop(s);
        self.changed.send_replace(id);
        self.notify.notify_waiters();
    }

    /// Report a store failure once (the store full, say), until a write succeeds.
    fn report_store(&self, result: Result<(), StoreError>) {
        match result {
            Ok(()) => self.store_failing.store(false, Ordering::Relaxed),
            Err(e) => {
                if !self.store_failing.swap(true, Ordering::Relaxed) {
                    eprintln!(
                        "kiln: experiment {}: further tasks not saved (they rerun after a restart): {e}",
                        self.id
                    );
                }
            }
        }
    }

    fn finish(&self, status: Status) {
        let mut s = self.state();
        s.status = status;
        let id = s.log.latest_id();
        drop(s);
        self.changed.send_replace(id);
        self.notify.notify_waiters();
    }

    fn stop(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Deleted, or stopped by a stopping server: work for it should stop.
    pub fn is_stopped(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Where it stands.
    pub fn status(&self) -> Status {
        self.state().status
    }

    /// A client whose last event is `resume` has everything there will be: the
    /// experiment's last event, `execution_complete` (sent a moment before the
    /// experiment's status says complete).
    pub fn past_end(&self, resume: Option<u64>) -> bool {
        let s = self.state();
        let ended = s.status == Status::Complete
            || s.log.newest().is_some_and(|e| e.event.name == "execution_complete");
        ended && resume == Some(s.log.latest_id())
    }

    /// The finished tasks as CSV ([`crate::sweep::csv_text`]).
    pub fn csv(&self) -> String {
        crate::sweep::csv_text(&self.plan, &self.state().records)
    }

    /// The state as JSON: counts, the finished tasks by id, the summary if any.
    pub fn describe(&self) -> Value {
        let s = self.state();
        let mut tasks = s.records.clone();
        tasks.sort_by_key(|r| r.task_id);
        let success = tasks.iter().filter(|r| r.succeeded()).count();
        json!({
            "experiment_id": self.id,
            "state": s.status,
            "is_complete": s.status == Status::Complete,
            "created_at": self.created_at,
            "plan": self.plan.to_json(),
            "total_tasks": self.plan.task_count(),
            "groups": groups(&self.plan),
            "started_tasks": s.started,
            "completed_tasks": tasks.len(),
            "completed_count": success,
            "error_count": tasks.len() - success,
            "last_event_id": s.log.latest_id(),
            "buffered_events": s.log.len(),
            "summary": s.summary,
            "tasks": tasks,
            "stream_url": format!("/api/experiments/{}/stream", self.id),
        })
    }

    /// One line of the list.
    pub fn summary_row(&self) -> Value {
        let s = self.state();
        json!({"experiment_id": self.id, "state": s.status, "total_tasks": self.plan.task_count(),
               "completed_tasks": s.records.len(), "created_at": self.created_at})
    }

    /// Wait until the experiment is no longer running, `deadline` passes or the
    /// server stops (`stop`).
    pub async fn ended(&self, deadline: Instant, mut stop: watch::Receiver<bool>) {
        let mut changes = self.changed.subscribe();
        while self.status() == Status::Running && !*stop.borrow() {
            tokio::select! {
                r = changes.changed() => if r.is_err() { break },
                _ = stop.changed() => {}
                _ = tokio::time::sleep_until(deadline.into()) => break,
            }
        }
    }

    /// The feed of a stream whose client has the events up to `cursor`.
    pub fn viewer(self: &Arc<Self>, cursor: u64) -> Viewer {
        Viewer { live: self.clone(), cursor }
    }
}

/// Every parameter set of a plan: index, key, varied parameters.
pub fn groups(plan: &Plan) -> Vec<Value> {
    (0..plan.group_count())
        .filter_map(|i| plan.group(i))
        .map(|g| json!({"group": g.index(), "key": g.key(), "params": g.varied()}))
        .collect()
}

/// The experiments of a server: a handle, cheap to clone.
#[derive(Clone)]
pub struct Experiments {
    registry: Arc<Registry>,
    pool: Arc<OnceLock<Arc<SweepPool>>>,
    list: Arc<Mutex<Vec<Arc<LiveExperiment>>>>,
    stop: watch::Receiver<bool>,
    limits: PlanLimits,
    store: Arc<StoreWriter>,
    /// True once the stored experiments are rebuilt (or there were none to rebuild).
    restored: watch::Sender<bool>,
}

impl Experiments {
    /// The experiments of a server with these kinds, stopped by `stop`, kept in
    /// `store`; none is stored to rebuild until [`Experiments::restore`] says so.
    pub fn new(registry: Arc<Registry>, stop: watch::Receiver<bool>, store: Arc<StoreWriter>) -> Self {
        Experiments {
            registry,
            pool: Arc::default(),
            list: Arc::default(),
            stop,
            limits: PlanLimits::default(),
            store,
            restored: watch::Sender::new(true),
        }
    }

    fn list(&self) -> MutexGuard<'_, Vec<Arc<LiveExperiment>>> {
        self.list.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The limits every plan is checked against.
    pub fn limits(&self) -> PlanLimits {
        self.limits
    }

    /// The kinds tasks run.
    pub fn runner(&self) -> KindRunner {
        KindRunner::new(self.registry.clone())
    }

    /// The server is stopping.
    pub fn stopping(&self) -> bool {
        *self.stop.borrow()
    }

    /// The server's stop signal.
    pub fn stop_signal(&self) -> watch::Receiver<bool> {
        self.stop.clone()
    }

    /// Every experiment kept, oldest first.
    pub fn all(&self) -> Vec<Arc<LiveExperiment>> {
        self.list().clone()
    }

    /// An experiment by id.
    pub fn get(&self, id: Uuid) -> Option<Arc<LiveExperiment>> {
        self.list().iter().find(|e| e.id == id).cloned()
    }

    /// An experiment by id, waiting first for the stored ones to be rebuilt if it
    /// is not (yet) known.
    pub async fn get_restored(&self, id: Uuid) -> Option<Arc<LiveExperiment>> {
        if let Some(found) = self.get(id) {
            return Some(found);
        }
        let mut restored = self.restored.subscribe();
        let mut stop = self.stop.clone();
        tokio::select! {
            _ = restored.wait_for(|done| *done) => {}
            _ = stop.wait_for(|stopped| *stopped) => {}
        }
        self.get(id)
    }

    /// Whether one more could run now (a quick refusal before a plan is checked;
    /// [`Experiments::admit`] decides).
    pub fn check_room(&self) -> Result<(), LiveError> {
        self.store.check_quota().map_err(|e| LiveError::StoreFull(e.to_string()))?;
        self.make_room(&mut self.list())
    }

    /// Room for one more in `list`: under [`MAX_RUNNING`] running, and under
    /// [`MAX_KEPT`] kept once the oldest finished one is dropped (from the store too).
    fn make_room(&self, list: &mut Vec<Arc<LiveExperiment>>) -> Result<(), LiveError> {
        let running = list.iter().filter(|e| e.status() == Status::Running).count();
        if running >= MAX_RUNNING {
            return Err(LiveError::TooMany(format!(
                "{running} experiments are running, the most this server runs at once; wait for one to finish or delete one"
            )));
        }
        while list.len() >= MAX_KEPT {
            match list.iter().position(|e| e.status() != Status::Running) {
                Some(i) => {
                    let dropped = list.remove(i);
                    let _ = self.store.remove_experiment(dropped.id);
                }
                None => return Err(LiveError::TooMany("too many experiments are kept".into())),
            }
        }
        Ok(())
    }

    /// Start a checked experiment: the running limit is checked and the experiment
    /// taken into the list under one lock, then its record is stored and it runs.
    /// Blocking (the record is flushed to disk): call it off the reactor.
    pub fn admit(&self, experiment: Experiment<KindRunner>) -> Result<Arc<LiveExperiment>, LiveError> {
        let fresh = StoredResults { tasks: Vec::new(), last_event_id: 0, created_at: 0, handed: false };
        let token = Uuid::new_v4().simple().to_string();
        let live = Arc::new(LiveExperiment::new(
            Uuid::new_v4(),
            token,
            experiment.plan().clone(),
            fresh,
            self.store.clone(),
        ));
        {
            let mut list = self.list();
            self.make_room(&mut list)?;
            list.push(live.clone());
        }
        live.persist();
        if let Err(e) = self.store.flush() {
            eprintln!("kiln: experiment {}: not saved: {e}", live.id);
        }
        if let Err(e) = self.launch(&live, experiment) {
            self.list().retain(|e| e.id != live.id);
            let _ = self.store.remove_experiment(live.id);
            return Err(e);
        }
        Ok(live)
    }

    /// Stop and forget `live`; its stored record goes too.
    pub fn delete(&self, live: &LiveExperiment) {
        live.stop();
        self.list().retain(|e| e.id != live.id);
        let _ = self.store.remove_experiment(live.id);
        if live.status() == Status::Running {
            live.finish(Status::Cancelled);
        }
    }

    /// Requests for unknown experiments wait for [`Experiments::restore`] from now on.
    pub fn expect_restore(&self) {
        self.restored.send_replace(false);
    }

    /// Rebuild the experiments the store keeps (at start, blocking, inside the
    /// server's runtime): the completed tasks are kept and the rest run. One that no
    /// longer parses or builds is reported and dropped. Returns one line per
    /// experiment for the server log.
    pub fn restore(&self) -> Vec<String> {
        let mut lines = Vec::new();
        match self.store.store().list_experiments() {
            Ok(records) => {
                for record in self.newest_kept(records, &mut lines) {
                    match self.rebuild(&record) {
                        Ok(done) => lines
                            .push(format!("experiment {} restored with {done} completed tasks", record.id)),
                        Err(why) => {
                            let _ = self.store.remove_experiment(record.id);
                            lines.push(format!("experiment {} not restored: {why}", record.id));
                        }
                    }
                }
            }
            Err(e) => lines.push(format!("cannot read the stored experiments: {e}")),
        }
        self.restored.send_replace(true);
        lines
    }

    /// The newest [`MAX_KEPT`] of the stored experiments, oldest first; the older
    /// ones are removed from the store (memory would not keep them either).
    fn newest_kept(&self, records: Vec<ExperimentRecord>, lines: &mut Vec<String>) -> Vec<ExperimentRecord> {
        let created = |r: &ExperimentRecord| {
            serde_json::from_str::<StoredResults>(&r.results).map_or(0, |results| results.created_at)
        };
        let mut records: Vec<(u64, ExperimentRecord)> =
            records.into_iter().map(|r| (created(&r), r)).collect();
        records.sort_by_key(|(at, _)| *at);
        let excess = records.len().saturating_sub(MAX_KEPT);
        for (_, old) in records.drain(..excess) {
            let _ = self.store.remove_experiment(old.id);
            lines.push(format!("experiment {} not restored: only the newest {MAX_KEPT} are kept", old.id));
        }
        records.into_iter().map(|(_, r)| r).collect()
    }

    /// One stored experiment, running again; returns how many tasks were already done.
    fn rebuild(&self, record: &ExperimentRecord) -> Result<usize, String> {
        let plan: Value =
            serde_json::from_str(&record.plan).map_err(|e| format!("its plan is not JSON: {e}"))?;
        let plan = Plan::parse(&plan, &self.limits).map_err(|e| format!("{}: {}", e.field(), e.message()))?;
        let mut results: StoredResults = serde_json::from_str(&record.results)
            .map_err(|e| format!("its results do not read back: {e}"))?;
        let rows = self.store.store().list_tasks(record.id).map_err(|e| e.to_string())?;
        for row in rows {
            let task: TaskRecord = serde_json::from_str(&row.record)
                .map_err(|e| format!("task {} does not read back: {e}", row.task))?;
            results.last_event_id = results.last_event_id.max(row.event_id);
            if !results.tasks.iter().any(|t| t.task_id == task.task_id) {
                results.tasks.push(task);
            }
        }
        let experiment = Experiment::new(plan, self.runner(), &self.limits)
            .map_err(|e| format!("{}: {}", e.field(), e.message()))?;
        let done = results.tasks.len();
        if results.handed {
            return Ok(self.restore_handed(record, experiment.plan().clone(), results));
        }
        let live = Arc::new(LiveExperiment::new(
            record.id,
            record.token.clone(),
            experiment.plan().clone(),
            results,
            self.store.clone(),
        ));
        self.list().push(live.clone());
        self.launch(&live, experiment).map_err(|e| e.to_string())?;
        Ok(done)
    }

    /// The task pool, made at the first use.
    fn pool(&self) -> Result<Arc<SweepPool>, LiveError> {
        if let Some(pool) = self.pool.get() {
            return Ok(pool.clone());
        }
        let made = Arc::new(SweepPool::new(0).map_err(LiveError::Failed)?);
        Ok(self.pool.get_or_init(|| made).clone())
    }

    /// Run `experiment` for `live` on its own thread (the tasks `live` has are not
    /// run again), stopped by a stopping server or a delete.
    fn launch(
        &self,
        live: &Arc<LiveExperiment>,
        experiment: Experiment<KindRunner>,
    ) -> Result<(), LiveError> {
        let pool = self.pool()?;
        // A stopping server stops the experiment.
        let (watcher, mut stop, mut progress) = (live.clone(), self.stop.clone(), live.changed.subscribe());
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|e| LiveError::Failed(format!("experiments run inside the server's runtime: {e}")))?;
        runtime.spawn(async move {
            loop {
                if *stop.borrow() {
                    watcher.stop();
                    return;
                }
                if watcher.status() != Status::Running {
                    return;
                }
                tokio::select! {
                    r = stop.changed() => if r.is_err() { return },
                    r = progress.changed() => if r.is_err() { return },
                }
            }
        });
        let driver = live.clone();
        std::thread::Builder::new()
            .name(format!("kiln-experiment-{}", live.id))
            .spawn(move || {
                let completed = driver.state().records.clone();
                let options = RunOptions { completed, ..RunOptions::new(&driver.cancel) };
                let outcome = experiment.run(&pool, options, |e| driver.push(&e));
                driver.finish(if outcome.is_ok() { Status::Complete } else { Status::Cancelled });
            })
            .map_err(|e| LiveError::Failed(format!("could not start the experiment's thread: {e}")))?;
        Ok(())
    }
}

fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// One SSE client of an experiment: the events after its cursor, a `resync` if
/// they are no longer kept, an `error` if the experiment was cancelled.
pub struct Viewer {
    live: Arc<LiveExperiment>,
    /// The id of the last event this client has.
    cursor: u64,
}

impl Feed for Viewer {
    fn opening(&mut self) -> Option<String> {
        None
    }

    fn signal(&self) -> Arc<Notify> {
        self.live.notify.clone()
    }

    fn next(&mut self, _now: Instant) -> Next {
        let s = self.live.state();
        let mut out = String::new();
        let events = match s.log.events_after(self.cursor, CHUNK_BYTES) {
            After::Events(events) => events,
            After::Resync => {
                let id = s.log.latest_id();
                drop(s);
                let mut data = self.live.describe();
                data["reason"] = json!("the events since your last one are no longer kept");
                write_event(&mut out, Some(id), "resync", &data.to_string());
                self.cursor = id;
                return Next::Send(out);
            }
        };
        for e in &events {
            write_event(&mut out, Some(e.id), e.event.name, &e.event.data);
            self.cursor = e.id;
            if e.event.name == "execution_complete" {
                return Next::Last(out);
            }
        }
        if !out.is_empty() {
            return Next::Send(out);
        }
        match s.status {
            Status::Running => Next::Wait { until: None, waiting: None },
            Status::Complete => Next::End,
            Status::Cancelled => {
                let data = json!({"code": "experiment_ended", "message": "the experiment was deleted or the server stopped it"});
                write_event(&mut out, None, "error", &data.to_string());
                Next::Last(out)
            }
        }
    }
}
