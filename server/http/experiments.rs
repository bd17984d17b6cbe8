//! Experiments over HTTP (DESIGN.md section 9, docs/experiments.md): create, read,
//! stream, delete, and a replay record for any task.
//!
//! * `POST /api/experiments` with a plan (`{"base", "vary", "seeds"}`): 201 with the
//!   id and a control token (the classroom key, if the server has one, is needed as
//!   for sessions), `steps_per_task` per parameter set, and `watch_url`, the
//!   experiment's page at an address phones on the network can open. The plan is checked and bounded ([`PlanLimits`]) before anything
//!   runs; every parameter set is checked by the kinds' resolver ([`KindRunner`]),
//!   its build priced as it goes ([`Pricer`]: a plan whose problems would take
//!   too long to build is refused after a set or two, naming `vary`, `base` or
//!   `seeds`), and the check stops when the client hangs up.
//! * `GET /api/experiments` (list), `GET /api/experiments/{id}` (state, counts, the
//!   finished tasks, the summary once there is one).
//! * `GET /api/experiments/{id}/stream`: SSE `task_start`, `task_complete`, `error`
//!   (per failed task), `execution_complete` (last), each with an `id:`; a reconnect
//!   with `Last-Event-ID` (or `?last_event_id=`) gets exactly the events after it.
//!   The history is bounded (`MAX_BUFFERED_EVENTS`); a client further behind gets
//!   one `resync` event with the state instead of the lost events. Without
//!   `Accept: text/event-stream` it answers one JSON document once the experiment is
//!   complete (waiting at most [`BATCH_WAIT`]): the batch fallback.
//! * `DELETE /api/experiments/{id}` with the token: the running tasks stop within a
//!   few thousand steps and no new ones start.
//! * `GET /api/experiments/{id}/tasks.csv`: the finished tasks as CSV
//!   ([`crate::sweep::csv`]), one row per task, the parameters as columns;
//! * `GET /api/experiments/{id}/tasks/{task_id}/record` with the token: the task
//!   re-run with checkpoints, as a replay record `kiln replay` verifies (a task is a
//!   pure function of its parameters and seed, so the re-run is the run); on the
//!   pool, stopped within one chunk of steps when the client hangs up or the
//!   experiment is deleted.
//! * `GET /experiments` and `/experiments/{id}` (the watch link): the page, whose
//!   script shows its Experiment view there (web/js/experiment.js).
//!
//! The experiments themselves (state, event log, persistence, restore, the
//! stream's feed) live in [`crate::live::experiments`]; this file holds the
//! handlers. Checking a plan (which builds every parameter set), taking the
//! experiment in, and re-running a task for its record go through the server's
//! [`crate::live::work::Work`] pool: a deadline, and a stop as soon as the client
//! hangs up. The stream is the server's one SSE follower (`live::sse`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use uuid::Uuid;
use warp::filters::BoxedFilter;
use warp::http::{HeaderMap, HeaderValue, StatusCode, header};
use warp::hyper::body::Bytes;
use warp::reply::Response;
use warp::{Filter, Reply};

use super::api::{Api, Create, bearer, client, json_reply, may_create, reply};
use super::body::read_body;
use super::error::ApiError;
use super::sse::{accepts_event_stream, follow, last_event_id, stream_request};
use crate::kinds::json_body;
use crate::live::LiveError;
use crate::live::budget::{Caller, ClientAddr};
use crate::live::experiments::{LiveExperiment, groups};
use crate::live::streams::StreamKind;
use crate::sweep::{BuildBudget, Experiment, Plan, Pricer};

/// Longest the JSON fallback waits for an experiment to complete.
pub const BATCH_WAIT: Duration = Duration::from_secs(60);
/// Longest a create may wait for a worker and check its plan (which builds every
/// parameter set's problem).
pub const CREATE_TIME_LIMIT: Duration = Duration::from_secs(20);
/// Longest a task's record may take (waiting for a worker and re-running the task).
pub const RECORD_TIME_LIMIT: Duration = Duration::from_secs(30 * 60);

/// The experiment routes, sharing `api`'s kinds, experiments, pool and auth switch.
pub fn routes(api: &Api) -> BoxedFilter<(Response,)> {
    let ctx = {
        let api = api.clone();
        warp::any().map(move || api.clone())
    };
    let headers = warp::header::headers_cloned();
    let base = || warp::path("api").and(warp::path("experiments"));

    let create = base()
        .and(warp::path::end())
        .and(warp::post())
        .and(ctx.clone())
        .and(client())
        .and(warp::header::optional::<u64>("content-length"))
        .and(headers)
        .and(warp::body::stream())
        .then(|api: Api, client: ClientAddr, length: Option<u64>, headers: HeaderMap, body| async move {
            let caller = match may_create(&api, client, &headers, Create::Experiment) {
                Ok(caller) => caller,
                Err(e) => return e.into_response(),
            };
            let base = api.share_base(&headers);
            match read_body(length, body).await {
                Ok(body) => reply(create(api, &caller, body, &base).await),
                Err(e) => e.into_response(),
            }
        });
    let list = base().and(warp::path::end()).and(warp::get()).and(ctx.clone()).map(|api: Api| {
        let items: Vec<Value> = api.experiments().all().iter().map(|e| e.summary_row()).collect();
        json_reply(&json!({ "experiments": items }), StatusCode::OK)
    });
    let status = base()
        .and(warp::path::param::<String>())
        .and(warp::path::end())
        .and(warp::get())
        .and(ctx.clone())
        .then(|id: String, api: Api| async move {
            reply(experiment(&api, &id).await.map(|e| json_reply(&e.describe(), StatusCode::OK)))
        });
    let stream = stream_request(base(), ctx.clone()).then(
        |id: String, api: Api, caller: Caller, query: HashMap<String, String>, headers: HeaderMap| async move {
            reply(stream(api, &caller, &id, &query, &headers).await)
        },
    );
    let record = base()
        .and(warp::path::param::<String>())
        .and(warp::path("tasks"))
        .and(warp::path::param::<String>())
        .and(warp::path!("record"))
        .and(warp::get())
        .and(ctx.clone())
        .and(headers)
        .then(|id: String, task: String, api: Api, headers: HeaderMap| async move {
            reply(record(api, &id, &task, &headers).await)
        });
    let csv = base()
        .and(warp::path::param::<String>())
        .and(warp::path!("tasks.csv"))
        .and(warp::get())
        .and(ctx.clone())
        .then(|id: String, api: Api| async move {
            reply(experiment(&api, &id).await.map(|e| {
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
    let delete =
        base()
            .and(warp::path::param::<String>())
            .and(warp::path::end())
            .and(warp::delete())
            .and(ctx)
            .and(headers)
            .then(|id: String, api: Api, headers: HeaderMap| async move {
                reply(delete(&api, &id, &headers).await)
            });
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

/// The experiment `id` names (waiting for the stored ones to be rebuilt at start).
async fn experiment(api: &Api, id: &str) -> Result<Arc<LiveExperiment>, ApiError> {
    let unknown = || ApiError::NotFound(format!("/api/experiments/{id}: no such experiment"));
    let id = Uuid::parse_str(id).map_err(|_| unknown())?;
    api.experiments().get_restored(id).await.ok_or_else(unknown)
}

/// Create and start; `base` is where phones reach the server (for `watch_url`).
async fn create(api: Api, caller: &Caller, body: Bytes, base: &str) -> Result<Response, ApiError> {
    let experiments = api.experiments().clone();
    if experiments.stopping() {
        return Err(ApiError::ShuttingDown);
    }
    // A syntax error names the key it sits in (`base.formula`), as a plan error does;
    // a body that is not an object is about the experiment as a whole.
    let value = Value::Object(json_body::parse_object(&body).map_err(|e| {
        let field = e.field();
        let field = if field.is_empty() { "experiment".to_string() } else { field };
        ApiError::invalid(
            field,
            format!("the body must be a JSON plan {{\"base\", \"vary\", \"seeds\"}}: {}", e.message),
        )
    })?);
    let limits = experiments.limits();
    let plan = Plan::parse(&value, &limits).map_err(|e| ApiError::invalid(e.field(), e.message()))?;
    experiments.check_room()?;
    api.experiment_place(caller)?;
    // Checking every parameter set resolves (builds) its problem: on the pool, and
    // not taken in if the client went away meanwhile.
    let (live, steps_per_task) = api
        .work()
        .run(
            Instant::now() + CREATE_TIME_LIMIT,
            move |cancel| -> Result<(Arc<LiveExperiment>, Vec<u64>), ApiError> {
                let cancelled = || cancel.is_cancelled();
                let mut pricer = Pricer::new(&plan, BuildBudget::default(), &cancelled);
                let experiment =
                    Experiment::checked(plan, experiments.runner(), &limits, &mut |n| pricer.check(n));
                if cancel.is_cancelled() {
                    return Err(LiveError::Busy.into());
                }
                let experiment = experiment.map_err(|e| ApiError::invalid(e.field(), e.message()))?;
                let steps_per_task = experiment.steps_per_task().to_vec();
                Ok((experiments.admit(experiment)?, steps_per_task))
            },
        )
        .await??;
    let id = live.id();
    api.experiment_made(id, caller);
    let body = json!({
        "experiment_id": id,
        "control_token": live.token(),
        "total_tasks": live.plan().task_count(),
        "groups": groups(live.plan()),
        "steps_per_task": steps_per_task,
        "plan": live.plan().to_json(),
        "stream_url": format!("/api/experiments/{id}/stream"),
        "status_url": format!("/api/experiments/{id}"),
        "watch_url": format!("{base}/experiments/{id}"),
    });
    Ok(json_reply(&body, StatusCode::CREATED))
}

async fn delete(api: &Api, id: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let live = experiment(api, id).await?;
    check_token(api, &live, headers)?;
    api.experiments().delete(&live);
    Ok(json_reply(&json!({"experiment_id": live.id(), "deleted": true}), StatusCode::OK))
}

async fn stream(
    api: Api,
    caller: &Caller,
    id: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let live = experiment(&api, id).await?;
    if !accepts_event_stream(headers) {
        // The JSON fallback: wait (bounded) for the experiment to end, then its state.
        live.ended(Instant::now() + BATCH_WAIT, api.experiments().stop_signal()).await;
        return Ok(json_reply(&live.describe(), StatusCode::OK));
    }
    if api.experiments().stopping() {
        return Err(ApiError::ShuttingDown);
    }
    let resume = last_event_id(query, headers);
    if live.past_end(resume) {
        // The client has everything: 204 tells EventSource not to come back.
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    follow(api.sessions(), StreamKind::Experiment, caller, live.viewer(resume.unwrap_or(0)))
}

/// `Authorization: Bearer` with the experiment's control token (unless `--no-auth`).
fn check_token(api: &Api, live: &LiveExperiment, headers: &HeaderMap) -> Result<(), ApiError> {
    if !api.no_auth() {
        let token = bearer(headers).ok_or(ApiError::MissingToken)?;
        if !live.token_matches(token) {
            return Err(ApiError::WrongToken);
        }
    }
    Ok(())
}

/// The task re-run with checkpoints, for the token's holder, on the pool; it stops
/// within one chunk of steps once the client hangs up or the experiment is deleted.
async fn record(api: Api, id: &str, task: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let live = experiment(&api, id).await?;
    check_token(&api, &live, headers)?;
    let plan = live.plan();
    let task = task.parse::<u64>().ok().and_then(|t| plan.task(t)).ok_or_else(|| {
        ApiError::NotFound(format!(
            "/api/experiments/{id}/tasks/{task}/record: tasks are numbered 0 to {}",
            plan.task_count().saturating_sub(1)
        ))
    })?;
    let params = plan.group(task.group).map(|g| g.params().clone()).unwrap_or_default();
    let runner = api.experiments().runner();
    let deleted = live.clone();
    let record = api
        .work()
        .run(Instant::now() + RECORD_TIME_LIMIT, move |cancel| {
            runner.record_unless(&params, task.seed, &|| cancel.is_cancelled() || live.is_stopped())
        })
        .await?
        .map_err(|e| ApiError::invalid(e.field_name().unwrap_or("task"), e.message()))?
        .ok_or_else(|| match deleted.is_stopped() {
            true => ApiError::NotFound(format!("/api/experiments/{id}: the experiment was deleted")),
            false => LiveError::Busy.into(),
        })?;
    let mut response = json_reply(&record, StatusCode::OK);
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"kiln-task-replay.json\""),
    );
    Ok(response)
}
