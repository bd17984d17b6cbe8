//! Experiments over HTTP (DESIGN.md section 9, docs/experiments.md): create, read,
//! stream, delete, and a replay record for any task.
//!
//! * `POST /api/experiments` with a plan (`{"base", "vary", "seeds"}`): 201 with the
//!   id and a control token (the classroom key, if the server has one, is needed as
//!   for sessions), `steps_per_task` per parameter set, and `watch_url`, the
//!   experiment's page at an address phones on the network can open. The plan is checked and bounded ([`PlanLimits`]) before anything
//!   runs; every parameter set is checked by the kinds' resolver ([`KindRunner`]).
//! * `GET /api/experiments` (list), `GET /api/experiments/{id}` (state, counts, the
//!   finished tasks, the summary once there is one).
//! * `GET /api/experiments/{id}/stream`: SSE `task_start`, `task_complete`, `error`
//!   (per failed task), `execution_complete` (last), each with an `id:`; a reconnect
//!   with `Last-Event-ID` (or `?last_event_id=`) gets exactly the events after it.
//!   The history is bounded ([`MAX_BUFFERED_EVENTS`]); a client further behind gets
//!   one `resync` event with the state instead of the lost events. Without
//!   `Accept: text/event-stream` it answers one JSON document once the experiment is
//!   complete (waiting at most [`BATCH_WAIT`]): the batch fallback.
//! * `DELETE /api/experiments/{id}` with the token: the running tasks stop within a
//!   few thousand steps and no new ones start.
//! * `GET /api/experiments/{id}/tasks.csv`: the finished tasks as CSV
//!   ([`crate::sweep::csv`]), one row per task, the parameters as columns;
//! * `GET /api/experiments/{id}/tasks/{task_id}/record`: the task re-run with
//!   checkpoints, as a replay record `kiln replay` verifies (a task is a pure function
//!   of its parameters and seed, so the re-run is the run).
//! * `GET /experiments` and `/experiments/{id}` (the watch link): the page, whose
//!   script shows its Experiment view there (web/js/experiment.js).
//!
//! Tasks run on one [`SweepPool`] shared by every experiment of the server (one
//! thread per core), driven from a plain thread per experiment, never on the async
//! reactor. The SSE framing is the sessions' own (`live::event::write_event`,
//! `RETRY`, `KEEP_ALIVE`).
//!
//! Experiments survive a restart (DESIGN.md section 8): each one's plan, token and
//! finished task records (with its last event id) go to the store's writer when it
//! is made and at every completed task, and a deleted one is removed. At start the
//! stored ones are rebuilt before the first request: completed tasks are kept (not
//! run or announced again, but counted in the summary) and the rest rerun, each a
//! pure function of its parameters and seed, so the summary equals an
//! uninterrupted one's (timing aside). Event ids go on from the stored last id; the
//! events of the last second before a crash may be missing from a resumed stream.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tokio::sync::watch;
use uuid::Uuid;
use warp::filters::BoxedFilter;
use warp::http::{HeaderMap, HeaderValue, StatusCode, header};
use warp::hyper::body::Bytes;
use warp::reply::Response;
use warp::{Filter, Reply};

use super::body::read_body;
use super::error::ApiError;
use super::routes::{Api, bearer, check_server_key, json_reply, reply};
use crate::kinds::Registry;
use crate::live::event::{KEEP_ALIVE, RETRY, write_event};
use crate::store::{ExperimentRecord, StoreWriter};
use crate::sweep::{
    Experiment, KindRunner, Plan, PlanLimits, RunOptions, Summary, SweepEvent, SweepPool, TaskRecord,
};

/// Events an experiment keeps for reconnecting clients (about 2 per task).
pub const MAX_BUFFERED_EVENTS: usize = 4_096;
/// Experiments running at once; more are refused with 429.
pub const MAX_RUNNING: usize = 4;
/// Experiments kept (running or finished); the oldest finished one makes room.
pub const MAX_KEPT: usize = 64;
/// Longest the JSON fallback waits for an experiment to complete.
pub const BATCH_WAIT: Duration = Duration::from_secs(60);
/// Silence after which a stream sends a keep-alive comment.
const KEEP_ALIVE_EVERY: Duration = Duration::from_secs(15);
/// Events written per chunk of a stream.
const CHUNK_EVENTS: usize = 256;

/// Where an experiment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Running,
    Complete,
    Cancelled,
}

/// One event of the history.
struct Buffered {
    id: u64,
    name: &'static str,
    data: String,
}

/// What changes as an experiment runs.
struct State {
    events: VecDeque<Buffered>,
    last_id: u64,
    status: Status,
    started: u64,
    records: Vec<TaskRecord>,
    summary: Option<Summary>,
}

/// One experiment of the server.
struct Live {
    id: Uuid,
    token: String,
    created_at: u64,
    plan: Plan,
    cancel: AtomicBool,
    state: Mutex<State>,
    /// The latest event id, for streams to wait on.
    changed: watch::Sender<u64>,
    /// Where the experiment's record goes.
    store: Arc<StoreWriter>,
}

/// What an experiment record's `results` holds.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredResults {
    /// The completed tasks.
    tasks: Vec<TaskRecord>,
    /// The id of the last event sent.
    last_event_id: u64,
}

impl Live {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new experiment, running, with the tasks of `completed` done.
    fn new(id: Uuid, token: String, plan: Plan, completed: StoredResults, store: Arc<StoreWriter>) -> Live {
        let (changed, _) = watch::channel(completed.last_event_id);
        Live {
            id,
            token,
            created_at: unix_ms(),
            plan,
            cancel: AtomicBool::new(false),
            state: Mutex::new(State {
                events: VecDeque::new(),
                last_id: completed.last_event_id,
                status: Status::Running,
                started: completed.tasks.len() as u64,
                records: completed.tasks,
                summary: None,
            }),
            changed,
            store,
        }
    }

    /// Hand the experiment's record to the store (with its state locked, so records
    /// go in order); `last_event_id` is the newest id the record covers.
    fn persist(&self, s: &State, last_event_id: u64) {
        let results = StoredResults { tasks: s.records.clone(), last_event_id };
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
            self.persist(&s, s.last_id + 1);
            drop(s);
            if let Err(e) = self.store.flush() {
                eprintln!("kiln: experiment {}: not saved: {e}", self.id);
            }
        }
        let mut s = self.state();
        s.last_id += 1;
        let id = s.last_id;
        match event {
            SweepEvent::TaskStart(_) => s.started += 1,
            SweepEvent::TaskComplete(_) => {}
            SweepEvent::ExecutionComplete(summary) => s.summary = Some(summary.clone()),
            SweepEvent::TaskFailed(_) => {}
        }
        s.events.push_back(Buffered { id, name: event.name(), data: event.data_json() });
        while s.events.len() > MAX_BUFFERED_EVENTS {
            s.events.pop_front();
        }
        drop(s);
        self.changed.send_replace(id);
    }

    fn finish(&self, status: Status) {
        let mut s = self.state();
        s.status = status;
        let id = s.last_id;
        drop(s);
        self.changed.send_replace(id);
    }

    fn stop(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    fn status(&self) -> Status {
        self.state().status
    }

    /// The finished tasks as CSV.
    fn csv(&self) -> String {
        crate::sweep::csv_text(&self.plan, &self.state().records)
    }

    /// The state as JSON: counts, the finished tasks by id, the summary if any.
    fn describe(&self) -> Value {
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
            "last_event_id": s.last_id,
            "buffered_events": s.events.len(),
            "summary": s.summary,
            "tasks": tasks,
            "stream_url": format!("/api/experiments/{}/stream", self.id),
        })
    }
}

/// Every parameter set of a plan: index, key, varied parameters.
fn groups(plan: &Plan) -> Vec<Value> {
    (0..plan.group_count())
        .filter_map(|i| plan.group(i))
        .map(|g| json!({"group": g.index(), "key": g.key(), "params": g.varied()}))
        .collect()
}

/// The experiments of a server.
#[derive(Clone)]
struct Hub {
    registry: Arc<Registry>,
    pool: Arc<SweepPool>,
    experiments: Arc<Mutex<Vec<Arc<Live>>>>,
    stop: watch::Receiver<bool>,
    no_auth: bool,
    limits: PlanLimits,
    store: Arc<StoreWriter>,
}

impl Hub {
    fn list(&self) -> MutexGuard<'_, Vec<Arc<Live>>> {
        self.experiments.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, id: &str) -> Result<Arc<Live>, ApiError> {
        let unknown = || ApiError::NotFound(format!("/api/experiments/{id}: no such experiment"));
        let id = Uuid::parse_str(id).map_err(|_| unknown())?;
        self.list().iter().find(|e| e.id == id).cloned().ok_or_else(unknown)
    }

    /// Room for one more: under [`MAX_RUNNING`] running, and under [`MAX_KEPT`] kept
    /// once the oldest finished one is dropped.
    fn make_room(&self) -> Result<(), ApiError> {
        let mut list = self.list();
        let running = list.iter().filter(|e| e.status() == Status::Running).count();
        if running >= MAX_RUNNING {
            return Err(ApiError::TooMany(format!(
                "{running} experiments are running, the most this server runs at once; wait for one to finish or delete one"
            )));
        }
        while list.len() >= MAX_KEPT {
            match list.iter().position(|e| e.status() != Status::Running) {
                Some(i) => {
                    list.remove(i);
                }
                None => return Err(ApiError::TooMany("too many experiments are kept".into())),
            }
        }
        Ok(())
    }
}

/// The experiment routes, sharing `api`'s kinds, stop signal and auth switch.
pub fn routes(api: &Api) -> BoxedFilter<(Response,)> {
    let pool = SweepPool::new(0).expect("a rayon pool of one thread per core");
    let hub = Hub {
        registry: api.registry().clone(),
        pool: Arc::new(pool),
        experiments: Arc::default(),
        stop: api.sessions().stop_signal(),
        no_auth: api.no_auth(),
        limits: PlanLimits::default(),
        store: api.sessions().store().clone(),
    };
    restore(&hub);
    let api = api.clone();
    let ctx = warp::any().map(move || hub.clone());
    let headers = warp::header::headers_cloned();
    let base = || warp::path("api").and(warp::path("experiments"));

    let create = base()
        .and(warp::path::end())
        .and(warp::post())
        .and(ctx.clone())
        .and(warp::header::optional::<u64>("content-length"))
        .and(headers)
        .and(warp::body::stream())
        .then(move |hub: Hub, length: Option<u64>, headers: HeaderMap, body| {
            let api = api.clone();
            async move {
                if let Err(e) = check_server_key(&api, &headers) {
                    return e.into_response();
                }
                let base = api.share_base(&headers);
                match read_body(length, body).await {
                    Ok(body) => reply(create(hub, body, &base).await),
                    Err(e) => e.into_response(),
                }
            }
        });
    let list = base().and(warp::path::end()).and(warp::get()).and(ctx.clone()).map(|hub: Hub| {
        let items: Vec<Value> = hub
            .list()
            .iter()
            .map(|e| {
                let s = e.state();
                json!({"experiment_id": e.id, "state": s.status, "total_tasks": e.plan.task_count(),
                       "completed_tasks": s.records.len(), "created_at": e.created_at})
            })
            .collect();
        json_reply(&json!({ "experiments": items }), StatusCode::OK)
    });
    let status = base()
        .and(warp::path::param::<String>())
        .and(warp::path::end())
        .and(warp::get())
        .and(ctx.clone())
        .map(|id: String, hub: Hub| reply(hub.get(&id).map(|e| json_reply(&e.describe(), StatusCode::OK))));
    let stream = base()
        .and(warp::path::param::<String>())
        .and(warp::path!("stream"))
        .and(warp::get())
        .and(ctx.clone())
        .and(warp::query::<HashMap<String, String>>())
        .and(headers)
        .then(|id: String, hub: Hub, query: HashMap<String, String>, headers: HeaderMap| async move {
            reply(stream(hub, &id, &query, &headers).await)
        });
    let record = base()
        .and(warp::path::param::<String>())
        .and(warp::path("tasks"))
        .and(warp::path::param::<String>())
        .and(warp::path!("record"))
        .and(warp::get())
        .and(ctx.clone())
        .then(|id: String, task: String, hub: Hub| async move { reply(record(hub, &id, &task).await) });
    let csv = base()
        .and(warp::path::param::<String>())
        .and(warp::path!("tasks.csv"))
        .and(warp::get())
        .and(ctx.clone())
        .map(|id: String, hub: Hub| {
            reply(hub.get(&id).map(|e| {
                let mut response = Response::new(e.csv().into());
                let headers = response.headers_mut();
                headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
                let name = format!("attachment; filename=\"experiment-{id}.csv\"");
                if let Ok(value) = HeaderValue::from_str(&name) {
                    headers.insert(header::CONTENT_DISPOSITION, value);
                }
                response
            }))
        });
    let delete = base()
        .and(warp::path::param::<String>())
        .and(warp::path::end())
        .and(warp::delete())
        .and(ctx)
        .and(headers)
        .map(|id: String, hub: Hub, headers: HeaderMap| reply(delete(&hub, &id, &headers)));
    // The page's Experiment view: the builder, and the watch link of one experiment.
    let builder = warp::path!("experiments").and(warp::get()).map(index_page);
    let watch = warp::path!("experiments" / String).and(warp::get()).map(|_: String| index_page());
    create
        .or(list)
        .unify()
        .or(status)
        .unify()
        .or(stream)
        .unify()
        .or(record)
        .unify()
        .or(csv)
        .unify()
        .or(delete)
        .unify()
        .or(builder)
        .unify()
        .or(watch)
        .unify()
        .boxed()
}

/// The page (its script shows the Experiment view on these paths).
fn index_page() -> Response {
    match crate::assets::asset("index.html") {
        Some(asset) => {
            let mut response = Response::new(asset.bytes.into());
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        None => ApiError::NotFound("/experiments: the page is not embedded".into()).into_response(),
    }
}

fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Create and start; `base` is where phones reach the server (for `watch_url`).
async fn create(hub: Hub, body: Bytes, base: &str) -> Result<Response, ApiError> {
    if *hub.stop.borrow() {
        return Err(ApiError::ShuttingDown);
    }
    let value: Value = serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest {
        code: "invalid_json",
        message: format!("the body must be a JSON plan {{\"base\", \"vary\", \"seeds\"}}: {e}"),
        field: None,
    })?;
    let plan = Plan::parse(&value, &hub.limits).map_err(|e| ApiError::invalid(e.field(), e.message()))?;
    hub.make_room()?;
    // Checking every parameter set resolves (builds) its problem: off the reactor.
    let (registry, limits) = (hub.registry.clone(), hub.limits);
    let experiment =
        tokio::task::spawn_blocking(move || Experiment::new(plan, KindRunner::new(registry), &limits))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .map_err(|e| ApiError::invalid(e.field(), e.message()))?;

    let fresh = StoredResults { tasks: Vec::new(), last_event_id: 0 };
    let token = Uuid::new_v4().simple().to_string();
    let live =
        Arc::new(Live::new(Uuid::new_v4(), token, experiment.plan().clone(), fresh, hub.store.clone()));
    hub.make_room()?;
    live.persist(&live.state(), 0);
    let store = hub.store.clone();
    if let Ok(Err(e)) = tokio::task::spawn_blocking(move || store.flush()).await {
        eprintln!("kiln: experiment {}: not saved: {e}", live.id);
    }
    hub.list().push(live.clone());
    let steps_per_task = experiment.steps_per_task().to_vec();
    launch(&hub, &live, experiment)?;

    let id = live.id;
    let body = json!({
        "experiment_id": id,
        "control_token": live.token,
        "total_tasks": live.plan.task_count(),
        "groups": groups(&live.plan),
        "steps_per_task": steps_per_task,
        "plan": live.plan.to_json(),
        "stream_url": format!("/api/experiments/{id}/stream"),
        "status_url": format!("/api/experiments/{id}"),
        "watch_url": format!("{base}/experiments/{id}"),
    });
    Ok(json_reply(&body, StatusCode::CREATED))
}

/// Rebuild the experiments the store keeps (at start): the completed tasks are kept
/// and the rest run. One that no longer parses or builds is reported and dropped.
fn restore(hub: &Hub) {
    let records = match hub.store.store().list_experiments() {
        Ok(records) => records,
        Err(e) => {
            eprintln!("kiln: cannot read the stored experiments: {e}");
            return;
        }
    };
    for record in records {
        match rebuild(hub, &record) {
            Ok(done) => eprintln!("kiln: experiment {} restored with {done} completed tasks", record.id),
            Err(why) => {
                let _ = hub.store.remove_experiment(record.id);
                eprintln!("kiln: experiment {} not restored: {why}", record.id);
            }
        }
    }
}

/// One stored experiment, running again; returns how many tasks were already done.
fn rebuild(hub: &Hub, record: &ExperimentRecord) -> Result<usize, String> {
    let plan: Value = serde_json::from_str(&record.plan).map_err(|e| format!("its plan is not JSON: {e}"))?;
    let plan = Plan::parse(&plan, &hub.limits).map_err(|e| format!("{}: {}", e.field(), e.message()))?;
    let results: StoredResults =
        serde_json::from_str(&record.results).map_err(|e| format!("its results do not read back: {e}"))?;
    let experiment = Experiment::new(plan, KindRunner::new(hub.registry.clone()), &hub.limits)
        .map_err(|e| format!("{}: {}", e.field(), e.message()))?;
    let done = results.tasks.len();
    let live = Arc::new(Live::new(
        record.id,
        record.token.clone(),
        experiment.plan().clone(),
        results,
        hub.store.clone(),
    ));
    hub.list().push(live.clone());
    launch(hub, &live, experiment).map_err(|e| e.to_string())?;
    Ok(done)
}

/// Run `experiment` for `live` on its own thread (the tasks `live` has are not run
/// again), stopped by a stopping server or a delete.
fn launch(hub: &Hub, live: &Arc<Live>, experiment: Experiment<KindRunner>) -> Result<(), ApiError> {
    // A stopping server stops the experiment.
    let (watcher, mut stop, mut progress) = (live.clone(), hub.stop.clone(), live.changed.subscribe());
    tokio::spawn(async move {
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
    let (driver, pool) = (live.clone(), hub.pool.clone());
    std::thread::Builder::new()
        .name(format!("kiln-experiment-{}", live.id))
        .spawn(move || {
            let completed = driver.state().records.clone();
            let options = RunOptions { completed, ..RunOptions::new(&driver.cancel) };
            let outcome = experiment.run(&pool, options, |e| driver.push(&e));
            driver.finish(if outcome.is_ok() { Status::Complete } else { Status::Cancelled });
        })
        .map_err(|e| ApiError::Internal(format!("could not start the experiment's thread: {e}")))?;
    Ok(())
}

fn delete(hub: &Hub, id: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let live = hub.get(id)?;
    if !hub.no_auth {
        let token = bearer(headers).ok_or(ApiError::MissingToken)?;
        let (a, b) = (live.token.as_bytes(), token.as_bytes());
        if a.len() != b.len() || a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) != 0 {
            return Err(ApiError::WrongToken);
        }
    }
    live.stop();
    hub.list().retain(|e| e.id != live.id);
    let _ = hub.store.remove_experiment(live.id);
    if live.status() == Status::Running {
        live.finish(Status::Cancelled);
    }
    Ok(json_reply(&json!({"experiment_id": live.id, "deleted": true}), StatusCode::OK))
}

/// The event id a reconnecting client has (header first, then the query).
fn last_event_id(query: &HashMap<String, String>, headers: &HeaderMap) -> Option<u64> {
    let header =
        headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
    header.or_else(|| query.get("last_event_id").and_then(|v| v.trim().parse().ok()))
}

async fn stream(
    hub: Hub,
    id: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let live = hub.get(id)?;
    if !super::routes::accepts_event_stream(headers) {
        return Ok(batch(&hub, live).await);
    }
    if *hub.stop.borrow() {
        return Err(ApiError::ShuttingDown);
    }
    let viewer = Viewer {
        cursor: last_event_id(query, headers).unwrap_or(0),
        changes: live.changed.subscribe(),
        live,
        stop: hub.stop.clone(),
        opened: false,
        finished: false,
    };
    let body = futures_util::stream::unfold(viewer, |mut viewer| async move {
        let chunk = viewer.next_chunk().await?;
        Some((Ok::<_, std::convert::Infallible>(chunk), viewer))
    });
    let mut response = warp::reply::stream(sync_wrapper::SyncStream::new(body)).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// The JSON fallback: wait (bounded) for the experiment to end, then its state.
async fn batch(hub: &Hub, live: Arc<Live>) -> Response {
    let deadline = Instant::now() + BATCH_WAIT;
    let mut changes = live.changed.subscribe();
    let mut stop = hub.stop.clone();
    while live.status() == Status::Running && !*stop.borrow() {
        tokio::select! {
            r = changes.changed() => if r.is_err() { break },
            _ = stop.changed() => {}
            _ = tokio::time::sleep_until(deadline.into()) => break,
        }
    }
    json_reply(&live.describe(), StatusCode::OK)
}

/// One SSE client of an experiment.
struct Viewer {
    live: Arc<Live>,
    /// The id of the last event this client has.
    cursor: u64,
    changes: watch::Receiver<u64>,
    stop: watch::Receiver<bool>,
    opened: bool,
    finished: bool,
}

impl Viewer {
    async fn next_chunk(&mut self) -> Option<Bytes> {
        if !self.opened {
            self.opened = true;
            return Some(Bytes::from_static(RETRY.as_bytes()));
        }
        if self.finished {
            return None;
        }
        loop {
            if *self.stop.borrow() {
                self.finished = true;
                let mut out = String::new();
                let data = json!({"code": "shutdown", "message": "the server is shutting down"});
                write_event(&mut out, None, "shutdown", &data.to_string());
                return Some(Bytes::from(out));
            }
            self.changes.borrow_and_update();
            if let Some(out) = self.pending() {
                return Some(Bytes::from(out));
            }
            if self.finished {
                return None;
            }
            tokio::select! {
                r = self.changes.changed() => if r.is_err() { self.finished = true; return None },
                _ = self.stop.changed() => {}
                _ = tokio::time::sleep(KEEP_ALIVE_EVERY) => return Some(Bytes::from_static(KEEP_ALIVE.as_bytes())),
            }
        }
    }

    /// The events after the cursor (or a resync), or the end; `None`: nothing yet.
    fn pending(&mut self) -> Option<String> {
        let s = self.live.state();
        let mut out = String::new();
        let oldest = s.events.front().map_or(s.last_id + 1, |e| e.id);
        if self.cursor + 1 < oldest && self.cursor < s.last_id {
            let id = s.last_id;
            drop(s);
            let mut data = self.live.describe();
            data["reason"] = json!("the events since your last one are no longer kept");
            write_event(&mut out, Some(id), "resync", &data.to_string());
            self.cursor = id;
            return Some(out);
        }
        let skip = s.events.iter().take_while(|e| e.id <= self.cursor).count();
        for e in s.events.iter().skip(skip).take(CHUNK_EVENTS) {
            write_event(&mut out, Some(e.id), e.name, &e.data);
            self.cursor = e.id;
            if e.name == "execution_complete" {
                self.finished = true;
                break;
            }
        }
        if !out.is_empty() {
            return Some(out);
        }
        match s.status {
            Status::Running => None,
            Status::Complete => {
                self.finished = true;
                None
            }
            Status::Cancelled => {
                self.finished = true;
                let data = json!({"code": "experiment_ended", "message": "the experiment was deleted or the server stopped it"});
                write_event(&mut out, None, "error", &data.to_string());
                Some(out)
            }
        }
    }
}

async fn record(hub: Hub, id: &str, task: &str) -> Result<Response, ApiError> {
    let live = hub.get(id)?;
    let task = task.parse::<u64>().ok().and_then(|t| live.plan.task(t)).ok_or_else(|| {
        ApiError::NotFound(format!(
            "/api/experiments/{id}/tasks/{task}/record: tasks are numbered 0 to {}",
            live.plan.task_count().saturating_sub(1)
        ))
    })?;
    let params = live.plan.group(task.group).map(|g| g.params().clone()).unwrap_or_default();
    let runner = KindRunner::new(hub.registry.clone());
    let record = tokio::task::spawn_blocking(move || runner.record(&params, task.seed))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::invalid(e.field_name().unwrap_or("task"), e.message()))?;
    let mut response = json_reply(&record, StatusCode::OK);
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"kiln-task-replay.json\""),
    );
    Ok(response)
}
