//! The class experiment over HTTP (docs/protocol.md, "Class experiment"; issue 24):
//!
//! * `POST /api/rooms/{code}/class` with the room token, `{"params": {...}, "compare":
//!   {"name", "value"}}`: the teacher's settings (the page's configure body) and an
//!   optional second setting. 201 with the ensemble view, `experiment_id` among it.
//!   Underneath: an experiment in handed mode (`live::experiments::handed`).
//! * `GET /api/rooms/{code}/class`: the ensemble (state `none` without one).
//! * `POST /api/rooms/{code}/class/join` `{"phone_token"?, "name"?}`: a phone's run now
//!   (its session, started), made once per task; the same phone token gets the same
//!   run until it completes, then the next setting's, then `task: null`.
//! * `POST /api/rooms/{code}/class/finish` with the room token: the summary; no more runs.
//! * `GET /api/rooms/{code}/class/stream`: SSE `class` events, the ensemble at every change.
//!
//! Making a run or checking the plan builds problems: on the [`crate::live::work::Work`]
//! pool, with a deadline.

use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
use warp::filters::BoxedFilter;
use warp::http::{HeaderMap, StatusCode};
use warp::hyper::body::Bytes;
use warp::reply::Response;
use warp::{Filter, Reply};

use super::api::{Api, CONFIGURE_TIME_LIMIT, Create, bearer, caller, client, json_reply, may_create, reply};
use super::body::read_body;
use super::error::ApiError;
use super::rooms::room;
use super::sse::follow;
use crate::kinds::{Registry, Request, Scope};
use crate::live::budget::{Caller, ClientAddr};
use crate::live::class::view::{ClassViewer, no_class};
use crate::live::class::{ClassError, ClassRun, plan_of};
use crate::live::rooms::Room;
use crate::live::streams::StreamKind;
use crate::sweep::{Experiment, Plan};

impl From<ClassError> for ApiError {
    fn from(e: ClassError) -> Self {
        match e {
            ClassError::Over => ApiError::ClassOver,
            ClassError::Full(message) => ApiError::TooMany(message),
            ClassError::Making => ApiError::Busy,
            ClassError::Param(e) => e.into(),
            ClassError::Live(e) => e.into(),
        }
    }
}

/// The class routes under `/api/rooms/{code}/class`.
pub fn routes(api: &Api) -> BoxedFilter<(Response,)> {
    let ctx = {
        let api = api.clone();
        warp::any().map(move || api.clone())
    };
    let class = || {
        warp::path("api").and(warp::path("rooms")).and(warp::path::param::<String>()).and(warp::path("class"))
    };
    let posted = |path: BoxedFilter<(String,)>| {
        path.and(warp::post())
            .and(ctx.clone())
            .and(warp::header::optional::<u64>("content-length"))
            .and(warp::header::headers_cloned())
            .and(warp::body::stream())
            .boxed()
    };
    let create = posted(class().and(warp::path::end()).boxed()).then(
        |code: String, api: Api, length: Option<u64>, headers: HeaderMap, body| async move {
            match read_body(length, body).await {
                Ok(body) => reply(create(api, &code, &headers, body).await),
                Err(e) => e.into_response(),
            }
        },
    );
    let join =
        class()
            .and(warp::path!("join"))
            .and(warp::post())
            .and(ctx.clone())
            .and(client())
            .and(warp::header::optional::<u64>("content-length"))
            .and(warp::header::headers_cloned())
            .and(warp::body::stream())
            .then(
                |code: String,
                 api: Api,
                 client: ClientAddr,
                 length: Option<u64>,
                 headers: HeaderMap,
                 body| async move {
                    match read_body(length, body).await {
                        Ok(body) => reply(join(api, &code, client, &headers, body).await),
                        Err(e) => e.into_response(),
                    }
                },
            );
    let finish = posted(class().and(warp::path!("finish")).boxed()).then(
        |code: String, api: Api, _length: Option<u64>, headers: HeaderMap, _body| async move {
            reply(finish(api, &code, &headers).await)
        },
    );
    let get = class()
        .and(warp::path::end())
        .and(warp::get())
        .and(ctx.clone())
        .map(|code: String, api: Api| reply(get(&api, &code)));
    let stream = class()
        .and(warp::path!("stream"))
        .and(warp::get())
        .and(ctx)
        .and(client())
        .and(warp::header::headers_cloned())
        .map(|code: String, api: Api, client: ClientAddr, headers: HeaderMap| {
            reply(stream(&api, &caller(&api, client, &headers), &code))
        });
    create.or(join).unify().or(finish).unify().or(get).unify().or(stream).unify().boxed()
}

/// The room, and the teacher's token checked.
fn owned(api: &Api, code: &str, headers: &HeaderMap) -> Result<Arc<Room>, ApiError> {
    let room = room(api, code)?;
    let token = bearer(headers).ok_or(ApiError::MissingRoomToken)?;
    if !room.token_matches(token) {
        return Err(ApiError::WrongRoomToken);
    }
    Ok(room)
}

/// The room's class experiment, 404 without one.
fn class_of(api: &Api, room: &Room) -> Result<Arc<ClassRun>, ApiError> {
    api.classes().get(room.code()).ok_or_else(|| ApiError::NoClassExperiment(room.code().to_string()))
}

fn object(body: &Bytes, what: &str) -> Result<serde_json::Map<String, Value>, ApiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { body };
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(ApiError::BadRequest {
            code: "invalid_json",
            message: format!("the body must be a JSON object {what}, not {other}"),
            field: None,
        }),
        Err(e) => Err(ApiError::BadRequest {
            code: "invalid_json",
            message: format!("the body must be a JSON object {what}: {e}"),
            field: None,
        }),
    }
}

async fn create(api: Api, code: &str, headers: &HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    if api.sessions().stopping() {
        return Err(ApiError::ShuttingDown);
    }
    let room = owned(&api, code, headers)?;
    let body = object(&body, "with params and an optional compare")?;
    if let Some(key) = body.keys().find(|k| !matches!(k.as_str(), "params" | "compare")) {
        return Err(ApiError::invalid(
            key.clone(),
            "unknown field; a class experiment has params and compare",
        ));
    }
    let mut params = body.get("params").cloned().unwrap_or_else(|| Value::Object(Default::default()));
    if let Some(name) = body.get("compare").and_then(|c| c.get("name")).and_then(Value::as_str) {
        fill_default(&api, &mut params, name);
    }
    fill_default(&api, &mut params, "seed");
    let compare = body.get("compare").cloned();
    let limits = api.experiments().limits();
    api.experiments().check_room()?;
    let (runner, experiments, registry) =
        (api.experiments().runner(), api.experiments().clone(), api.registry().clone());
    let (live, pacing) = api
        .work()
        .run(Instant::now() + CONFIGURE_TIME_LIMIT, move |_| -> Result<_, ApiError> {
            pin_schedule(&registry, &mut params)?;
            let (plan, pacing) = plan_of(&params, compare.as_ref())?;
            let plan = Plan::parse(&plan, &limits).map_err(|e| ApiError::invalid(e.field(), e.message()))?;
            let checked = Experiment::new(plan, runner, &limits).map_err(|e| {
                // The plan's `base.X` and `vary.X` are the teacher's settings `X`.
                let field = e.field().trim_start_matches("base.").trim_start_matches("vary.").to_string();
                ApiError::invalid(field, e.message())
            })?;
            Ok((experiments.admit_handed(checked.plan().clone())?, pacing))
        })
        .await??;
    room.set_class_experiment(live.id());
    let run = api.classes().start(room.code(), live, pacing);
    Ok(json_reply(&run.view(), StatusCode::CREATED))
}

/// The page sends only the values that differ from the defaults: the compared
/// parameter's first value, and the first seed, are then their defaults, from the
/// parameter table.
fn fill_default(api: &Api, params: &mut Value, name: &str) {
    let Some(values) = params.as_object_mut() else { return };
    if values.contains_key(name) {
        return;
    }
    let problems = api.registry().catalog()["problems"].as_array().cloned().unwrap_or_default();
    let kind = values.get("problem").and_then(Value::as_str).map(str::to_string);
    let kind = problems.iter().find(|p| kind.is_none() || p["name"].as_str() == kind.as_deref());
    let default = kind.and_then(|k| k["parameters"].as_array()?.iter().find(|p| p["name"] == name).cloned());
    if let Some(default) = default.map(|p| p["default"].clone()).filter(|d| !d.is_null()) {
        values.insert(name.to_string(), default);
    }
}

/// A phone's run is a live session, whose default schedule may differ from a headless
/// run's (a kind may cool live sessions on another schedule than headless runs). The
/// plan names the schedule the sessions resolve to, so each task record is what
/// `kiln sweep` and the task's replay record find for the same parameters and seed.
fn pin_schedule(registry: &Registry, params: &mut Value) -> Result<(), ApiError> {
    let Some(values) = params.as_object_mut() else { return Ok(()) };
    let config = registry.resolve(&Request::from_map(values.clone(), Scope::Session))?.config;
    let pinned = [
        ("schedule", Some(Value::from(config.schedule.name()))),
        ("initial_temp", Some(Value::from(config.initial_temp))),
        ("final_temp", config.final_temp.map(Value::from)),
        ("cooling_schedule_k", Some(Value::from(config.k))),
        ("steps_per_cycle", Some(Value::from(config.steps_per_cycle))),
        ("num_cycles", Some(Value::from(config.cycles))),
    ];
    for (name, value) in pinned {
        if let Some(value) = value.filter(|_| !values.contains_key(name)) {
            values.insert(name.into(), value);
        }
    }
    Ok(())
}

fn get(api: &Api, code: &str) -> Result<Response, ApiError> {
    let room = room(api, code)?;
    let view = api.classes().get(room.code()).map_or_else(|| no_class(room.code()), |r| r.view());
    Ok(json_reply(&view, StatusCode::OK))
}

async fn join(
    api: Api,
    code: &str,
    client: ClientAddr,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    if api.sessions().stopping() {
        return Err(ApiError::ShuttingDown);
    }
    // A student may run what the teacher handed out (the trust model), within his
    // client's budgets.
    let caller = may_create(&api, client, headers, Create::HandedTask)?;
    let room = room(&api, code)?;
    let run = class_of(&api, &room)?;
    let body = object(&body, "with an optional phone_token and name")?;
    if let Some(key) = body.keys().find(|k| !matches!(k.as_str(), "phone_token" | "name")) {
        return Err(ApiError::invalid(key.clone(), "unknown field; a join has phone_token and name"));
    }
    let text = |field: &str| -> Result<Option<String>, ApiError> {
        match body.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(ApiError::invalid(field, format!("must be a string, not {other}"))),
        }
    };
    let (token, name) = (text("phone_token")?, text("name")?);
    let (registry, sessions) = (api.registry().clone(), api.sessions().clone());
    let joined = api
        .work()
        .run(Instant::now() + CONFIGURE_TIME_LIMIT, move |_| {
            run.join(&registry, &sessions, &caller, token.as_deref(), name.as_deref())
        })
        .await??;
    Ok(json_reply(&joined, StatusCode::OK))
}

async fn finish(api: Api, code: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let room = owned(&api, code, headers)?;
    let run = class_of(&api, &room)?;
    let finished = run.clone();
    api.work().run(Instant::now() + CONFIGURE_TIME_LIMIT, move |_| finished.finish()).await?;
    Ok(json_reply(&run.view(), StatusCode::OK))
}

fn stream(api: &Api, caller: &Caller, code: &str) -> Result<Response, ApiError> {
    let room = room(api, code)?;
    if api.sessions().stopping() {
        return Err(ApiError::ShuttingDown);
    }
    let feed = ClassViewer::new(api.classes().clone(), room.code().to_string());
    follow(api.sessions(), StreamKind::Room, caller, feed)
}
