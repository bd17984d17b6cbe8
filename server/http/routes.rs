//! The HTTP API (docs/protocol.md) and the page routes, as warp filters.
//!
//! Each route is a small filter that extracts what its handler needs (path id,
//! headers, body) and a handler that returns `Result<Response, ApiError>`; errors
//! become JSON in one place ([`ApiError`]'s `Reply`). Handlers never hold a
//! session lock across an `.await`. Anything that runs steps or builds a problem
//! goes to the bounded [`Work`] pool with a deadline, and stops when its client goes
//! away; only the control token's holder can make a run advance (the batch fallback
//! included). [`allowed_methods`] is the table of which methods each path answers,
//! for the `Allow` header of a 405 ([`super::edge`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use serde_json::json;
use warp::filters::BoxedFilter;
use warp::http::{HeaderMap, HeaderValue, StatusCode, header};
use warp::hyper::body::Bytes;
use warp::reply::Response;
use warp::{Filter, Reply};

use super::api::{
    Api, CONFIGURE_TIME_LIMIT, Create, STEP_TIME_LIMIT, authorize, blocking, client, json_reply, may_create,
    parse_id, reply,
};
use super::batch::{as_it_stands, batch};
use super::body::read_body;
use super::error::ApiError;
use super::pacing::pacing_from_body;
use super::rooms;
use super::sse::{accepts_event_stream, follow, last_event_id, stream_request};
use crate::kinds::settings::ignored_params;
use crate::kinds::{Request, Scope};
use crate::live::budget::{Caller, ClientAddr};
use crate::live::log as session_log;
use crate::live::session::MAX_MANUAL_STEPS;
use crate::live::stream::Viewer;
use crate::live::streams::StreamKind;
use crate::live::trace::TRACE_POINTS;
use crate::live::view::Resume;
use crate::live::{Control, Session};

/// The methods a path answers, for the `Allow` header of a 405 (HEAD wherever GET).
/// It mirrors [`routes`]; a path no route knows has none.
pub fn allowed_methods(path: &str) -> Option<&'static str> {
    const READ: &str = "GET, HEAD";
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        [""] | ["health"] | ["api", "problems"] | ["api", "sa"] | ["watch", _] | ["r"] | ["r", _] => {
            Some(READ)
        }
        ["api", "rooms"] | ["api", "rooms", _, "session"] => Some("POST"),
        ["api", "rooms", _] | ["api", "rooms", _, "stream" | "qr.svg"] => Some(READ),
        ["api", "rooms", _, "class"] => Some("GET, HEAD, POST"),
        ["api", "rooms", _, "class", "join" | "finish"] => Some("POST"),
        ["api", "rooms", _, "class", "stream"] => Some(READ),
        ["static", ..] => Some(READ),
        ["api", "sa", "configure" | "preview"] => Some("POST"),
        ["api", "sa", _] => Some("DELETE"),
        ["api", "sa", _, "status" | "streaming-status" | "stream" | "watch-qr.svg" | "record" | "trace"] => {
            Some(READ)
        }
        ["api", "sa", _, "start" | "pause" | "resume" | "reset" | "step" | "pacing"] => Some("POST"),
        ["api", "experiments"] => Some("GET, HEAD, POST"),
        ["api", "experiments", _] => Some("GET, HEAD, DELETE"),
        ["api", "experiments", _, "stream" | "tasks.csv"]
        | ["api", "experiments", _, "tasks", _, "record"] => Some(READ),
        ["experiments"] | ["experiments", _] => Some(READ),
        _ => None,
    }
}

/// Every route of the server, errors turned into JSON.
pub fn routes(api: Api) -> BoxedFilter<(Response,)> {
    let experiments = super::experiments::routes(&api);
    let room_routes = room_routes(api.clone());
    let class_routes = super::class::routes(&api);
    let ctx = warp::any().map(move || api.clone());
    let id = warp::path::param::<String>();
    let headers = warp::header::headers_cloned();
    let get = warp::get();
    let post = warp::post();

    let health = warp::path!("health").and(get).and(ctx.clone()).map(|api: Api| health(&api));
    let problems = warp::path!("api" / "problems")
        .and(get)
        .and(ctx.clone())
        .map(|api: Api| warp::reply::json(api.registry.catalog()).into_response());
    let configure = warp::path!("api" / "sa" / "configure")
        .and(post)
        .and(ctx.clone())
        .and(client())
        .and(warp::header::optional::<u64>("content-length"))
        .and(headers)
        .and(warp::body::stream())
        .then(|api: Api, client: ClientAddr, length: Option<u64>, headers: HeaderMap, body| async move {
            let answer = match may_create(&api, client, &headers, Create::Session) {
                Ok(caller) => match read_body(length, body).await {
                    Ok(body) => {
                        let base = api.share_base(&headers);
                        configure(api, caller, body, &base).await
                    }
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            if let Err(e) = &answer {
                session_log::configure_refused(e.status().as_u16(), &e.to_string());
            }
            reply(answer)
        });
    let preview = warp::path!("api" / "sa" / "preview")
        .and(post)
        .and(ctx.clone())
        .and(client())
        .and(warp::header::optional::<u64>("content-length"))
        .and(warp::header::headers_cloned())
        .and(warp::body::stream())
        .then(|api: Api, client: ClientAddr, length: Option<u64>, headers: HeaderMap, body| async move {
            let answer = match may_create(&api, client, &headers, Create::Session) {
                Ok(_) => match read_body(length, body).await {
                    Ok(body) => super::preview::preview(api, body).await,
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            reply(answer)
        });
    let list = warp::path!("api" / "sa").and(get).and(ctx.clone()).map(|api: Api| list(&api));
    let sa = || warp::path("api").and(warp::path("sa"));
    let status = sa()
        .and(id)
        .and(warp::path!("status"))
        .and(get)
        .and(ctx.clone())
        .map(|id: String, api: Api| reply(status(&api, &id)));
    let streaming_status = sa()
        .and(id)
        .and(warp::path!("streaming-status"))
        .and(get)
        .and(ctx.clone())
        .map(|id: String, api: Api| reply(streaming_status(&api, &id)));
    let stream = stream_request(sa(), ctx.clone()).then(
        |id: String, api: Api, caller: Caller, query: HashMap<String, String>, headers: HeaderMap| async move {
            reply(stream(api, &caller, &id, &query, &headers).await)
        },
    );
    let qr = sa()
        .and(id)
        .and(warp::path!("watch-qr.svg"))
        .and(get)
        .and(ctx.clone())
        .and(headers)
        .map(|id: String, api: Api, headers: HeaderMap| reply(watch_qr(&api, &id, &headers)));
    let record = sa()
        .and(id)
        .and(warp::path!("record"))
        .and(get)
        .and(ctx.clone())
        .map(|id: String, api: Api| reply(record(&api, &id)));
    let pacing = sa()
        .and(id)
        .and(warp::path!("pacing"))
        .and(post)
        .and(ctx.clone())
        .and(warp::header::optional::<u64>("content-length"))
        .and(headers)
        .and(warp::body::stream())
        .then(|id: String, api: Api, length: Option<u64>, headers: HeaderMap, body| async move {
            reply(pacing(api, &id, length, &headers, body).await)
        });
    let trace = sa()
        .and(id)
        .and(warp::path!("trace"))
        .and(get)
        .and(ctx.clone())
        .and(warp::query::<HashMap<String, String>>())
        .map(|id: String, api: Api, query: HashMap<String, String>| reply(trace(&api, &id, &query)));
    let control = sa()
        .and(id)
        .and(warp::path::param::<String>())
        .and(warp::path::end())
        .and(post)
        .and(ctx.clone())
        .and(warp::query::<HashMap<String, String>>())
        .and(headers)
        .then(|id: String, action: String, api: Api, query: HashMap<String, String>, headers: HeaderMap| async move {
            reply(control(api, &id, &action, &query, &headers).await)
        });
    let delete = sa()
        .and(id)
        .and(warp::path::end())
        .and(warp::delete())
        .and(ctx.clone())
        .and(headers)
        .map(|id: String, api: Api, headers: HeaderMap| reply(delete(&api, &id, &headers)));
    let index = warp::path::end().and(get).map(|| page("index.html"));
    let room_page = warp::path!("r" / String).and(get).map(|_: String| page("index.html"));
    let join_page = warp::path!("r").and(get).map(|| page("index.html"));
    let watch = warp::path!("watch" / String).and(get).map(|_: String| page("index.html"));
    let statics = warp::path("static")
        .and(warp::path::tail())
        .and(get)
        .map(|tail: warp::path::Tail| page(tail.as_str()));

    // Each arm boxed: one `.or()` chain of unboxed filters nests its types so deeply
    // that type checking the crate took tens of minutes once a few arms were added.
    health
        .boxed()
        .or(problems.boxed())
        .unify()
        .or(configure.boxed())
        .unify()
        .or(preview.boxed())
        .unify()
        .or(list.boxed())
        .unify()
        .or(status.boxed())
        .unify()
        .or(streaming_status.boxed())
        .unify()
        .or(stream.boxed())
        .unify()
        .or(qr.boxed())
        .unify()
        .or(record.boxed())
        .unify()
        .or(trace.boxed())
        .unify()
        .or(pacing.boxed())
        .unify()
        .or(control.boxed())
        .unify()
        .or(delete.boxed())
        .unify()
        .or(experiments.boxed())
        .unify()
        .or(class_routes)
        .unify()
        .or(room_routes.boxed())
        .unify()
        .or(index.boxed())
        .unify()
        .or(room_page.boxed())
        .unify()
        .or(join_page.boxed())
        .unify()
        .or(watch.boxed())
        .unify()
        .or(statics.boxed())
        .unify()
        .recover(super::recover::recover)
        .unify()
        .boxed()
}

/// The room routes (handlers in [`super::rooms`]).
fn room_routes(api: Api) -> BoxedFilter<(Response,)> {
    let ctx = warp::any().map(move || api.clone());
    let code = || warp::path("api").and(warp::path("rooms")).and(warp::path::param::<String>());
    let create = warp::path!("api" / "rooms")
        .and(warp::post())
        .and(ctx.clone())
        .and(client())
        .and(warp::header::headers_cloned())
        .and(warp::query::<HashMap<String, String>>())
        .map(|api: Api, client: ClientAddr, headers: HeaderMap, query: HashMap<String, String>| {
            reply(
                may_create(&api, client, &headers, Create::Room)
                    .and_then(|caller| rooms::create(&api, &caller, &headers, &query)),
            )
        });
    let get = code()
        .and(warp::path::end())
        .and(warp::get())
        .and(ctx.clone())
        .and(warp::header::headers_cloned())
        .map(|code: String, api: Api, headers: HeaderMap| reply(rooms::get(&api, &code, &headers)));
    let set_session = code()
        .and(warp::path!("session"))
        .and(warp::post())
        .and(ctx.clone())
        .and(warp::header::optional::<u64>("content-length"))
        .and(warp::header::headers_cloned())
        .and(warp::body::stream())
        .then(|code: String, api: Api, length: Option<u64>, headers: HeaderMap, body| async move {
            match read_body(length, body).await {
                Ok(body) => reply(rooms::set_session(&api, &code, &headers, &body)),
                Err(e) => e.into_response(),
            }
        });
    let stream = code()
        .and(warp::path!("stream"))
        .and(warp::get())
        .and(ctx.clone())
        .and(client())
        .and(warp::header::headers_cloned())
        .map(|code: String, api: Api, client: ClientAddr, headers: HeaderMap| {
            reply(rooms::stream(&api, &super::api::caller(&api, client, &headers), &code))
        });
    let qr = code()
        .and(warp::path!("qr.svg"))
        .and(warp::get())
        .and(ctx.clone())
        .and(warp::header::headers_cloned())
        .map(|code: String, api: Api, headers: HeaderMap| reply(rooms::qr(&api, &code, &headers)));
    create
        .boxed()
        .or(get.boxed())
        .unify()
        .or(set_session.boxed())
        .unify()
        .or(stream.boxed())
        .unify()
        .or(qr.boxed())
        .unify()
        .boxed()
}

fn session(api: &Api, id: &str) -> Result<Arc<Session>, ApiError> {
    Ok(api.sessions.get(parse_id(id)?)?)
}

fn health(api: &Api) -> Response {
    let body = json!({
        "status": "ok",
        "sessions": api.sessions.count(),
        "streams": api.sessions.open_streams(),
        "open_streams": api.sessions.streams().counts(),
        "work": api.work.load(),
        "uptime_s": api.sessions.uptime().as_secs(),
    });
    json_reply(&body, StatusCode::OK)
}

/// `POST /api/sa/configure`; `base` is where phones reach the server (for `watch_url`).
async fn configure(api: Api, caller: Caller, body: Bytes, base: &str) -> Result<Response, ApiError> {
    if api.sessions.stopping() {
        return Err(ApiError::ShuttingDown);
    }
    let body = if body.iter().all(u8::is_ascii_whitespace) { Bytes::from_static(b"{}") } else { body };
    let request = Request::from_json(&body, Scope::Session)?;
    let given: Vec<String> = request.values().keys().cloned().collect();
    api.sessions.check_room_for(&caller)?;
    // At the store's quota no new session is taken in (the running ones go on).
    api.sessions.store().check_quota().map_err(|e| ApiError::StoreFull(e.to_string()))?;
    let (registry, sessions) = (api.registry.clone(), api.sessions.clone());
    // Resolving builds the problem (a large uploaded text, say): once, off the
    // reactor, on the bounded pool.
    let session = api
        .work
        .run(Instant::now() + CONFIGURE_TIME_LIMIT, move |_| -> Result<Arc<Session>, ApiError> {
            let resolved = registry.resolve(&request)?;
            Ok(sessions.create_for(resolved, &caller)?)
        })
        .await??;
    let id = session.id();
    session.set_label(api.registry.describe(session.spec()));
    session_log::created(&session);
    let live = session.status();
    let body = json!({
        "session_id": id,
        "control_token": session.token(),
        "state": live.state,
        "total_steps": live.progress().snapshot.total_steps,
        "problem": session.problem(),
        "config": session.config(),
        // Parameters the schedule does not use (issue 26): reported, never silently dropped.
        "ignored_params": ignored_params(session.config().schedule.name(), given.iter().map(String::as_str)),
        "pacing": live.pacing,
        "stream_url": format!("/api/sa/{id}/stream"),
        "watch_url": format!("{base}/watch/{id}"),
        "qr_url": format!("/api/sa/{id}/watch-qr.svg"),
        "share_hint": api.share_hint(),
    });
    Ok(json_reply(&body, StatusCode::CREATED))
}

fn list(api: &Api) -> Response {
    let sessions: Vec<_> = api
        .sessions
        .list()
        .iter()
        .map(|s| {
            let live = s.status();
            json!({
                "session_id": s.id(),
                "problem": s.problem(),
                "state": live.state,
                "step": live.progress().snapshot.step,
                "total_steps": live.progress().snapshot.total_steps,
                "viewers": live.viewers.len(),
                "created_at": s.created_at(),
            })
        })
        .collect();
    json_reply(&json!({ "sessions": sessions }), StatusCode::OK)
}

fn status(api: &Api, id: &str) -> Result<Response, ApiError> {
    let session = session(api, id)?;
    let live = session.status();
    let body = json!({
        "session_id": session.id(),
        "state": live.state,
        "problem": session.problem(),
        "spec": session.spec(),
        "config": session.config(),
        "pacing": live.pacing,
        "created_at": session.created_at(),
        "viewers": live.viewers.len(),
        "progress": live.progress(),
    });
    Ok(json_reply(&body, StatusCode::OK))
}

fn streaming_status(api: &Api, id: &str) -> Result<Response, ApiError> {
    let session = session(api, id)?;
    let live = session.status();
    let body = json!({
        "session_id": session.id(),
        "has_active_stream": !live.viewers.is_empty(),
        "streaming_clients": live.viewers.len(),
        "client_ids": live.viewers,
        "buffered_events": live.buffered,
        "last_event_id": live.latest_id,
        "is_complete": live.is_complete(),
        "status": live.state,
        "step": live.progress().snapshot.step,
        "stepping": live.stepping,
        "created_at": session.created_at(),
    });
    Ok(json_reply(&body, StatusCode::OK))
}

async fn stream(
    api: Api,
    caller: &Caller,
    id: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let session = if accepts_event_stream(headers) {
        // A session still being rebuilt after a restart is waited for: the page's
        // reconnect simply opens late (EventSource gives up on a 503).
        api.sessions.get_restored(parse_id(id)?).await?
    } else {
        session(&api, id)?
    };
    if !accepts_event_stream(headers) {
        // Only the token's holder may drive the run; anyone else sees it as it stands.
        if api.no_auth || headers.contains_key(header::AUTHORIZATION) {
            authorize(&api, &session, headers)?;
            return batch(api, session).await;
        }
        return Ok(as_it_stands(&session));
    }
    if api.sessions.stopping() {
        return Err(ApiError::ShuttingDown);
    }
    let resume = last_event_id(query, headers);
    let cursor = match session.resume(resume) {
        Resume::PastEnd => return Ok(StatusCode::NO_CONTENT.into_response()),
        Resume::After(id) => id,
    };
    let slot = api.sessions.open_stream_for(&session, caller).map_err(ApiError::from).inspect_err(|e| {
        session_log::refused(&session, "stream", e.status().as_u16(), &e.to_string());
    })?;
    follow(&api.sessions, StreamKind::Session, caller, Viewer::new(session, slot, cursor))
}

fn watch_qr(api: &Api, id: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let session = session(api, id)?;
    let url = format!("{}/watch/{}", api.share_base(headers), session.id());
    let svg = crate::render::qr::qr_svg(&url);
    let mut response = svg.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    Ok(response)
}

/// The replay record up to the latest frame, from the checkpoints the session took
/// as it ran: no re-run, whoever asks and however often.
fn record(api: &Api, id: &str) -> Result<Response, ApiError> {
    let session = session(api, id)?;
    let record = session.record();
    let mut response = json_reply(&record, StatusCode::OK);
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"kiln-replay.json\""),
    );
    Ok(response)
}

/// The run's trace from step 0, at most `max_points` points (default and most:
/// every point kept), so a page that loads late draws the whole run.
fn trace(api: &Api, id: &str, query: &HashMap<String, String>) -> Result<Response, ApiError> {
    let session = session(api, id)?;
    let max = match query.get("max_points") {
        None => TRACE_POINTS,
        Some(text) => {
            text.trim().parse::<usize>().ok().filter(|n| (2..=TRACE_POINTS).contains(n)).ok_or_else(|| {
                ApiError::invalid(
                    "max_points",
                    format!("must be a whole number from 2 to {TRACE_POINTS}, not '{text}'"),
                )
            })?
        }
    };
    let (run, step, points) = session.trace(max);
    let body = json!({
        "session_id": session.id(),
        "run": run,
        "step": step,
        "points": points,
    });
    Ok(json_reply(&body, StatusCode::OK))
}

async fn control(
    api: Api,
    id: &str,
    action: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let session = session(&api, id)?;
    let known = ["start", "pause", "resume", "reset", "step"];
    if !known.contains(&action) {
        return Err(ApiError::NotFound(format!("/api/sa/{id}/{action}; controls are {}", known.join(", "))));
    }
    let answer = apply_control(api, session.clone(), action, query, headers).await;
    match &answer {
        Ok(_) if action == "start" => session_log::started(&session),
        Ok(_) => {}
        Err(e) => session_log::refused(&session, action, e.status().as_u16(), &e.to_string()),
    }
    answer
}

/// [`control`] on a known session and action: authorize, then apply it.
async fn apply_control(
    api: Api,
    session: Arc<Session>,
    action: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&api, &session, headers)?;
    let reply = match action {
        "start" => session.control(Control::Start)?,
        "pause" => session.control(Control::Pause)?,
        "resume" => session.control(Control::Resume)?,
        "reset" => blocking(move || session.reset()).await?,
        _ => {
            let n = match query.get("n") {
                None => 1,
                Some(text) => text
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (1..=MAX_MANUAL_STEPS).contains(n))
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "n",
                            format!("must be a whole number from 1 to {MAX_MANUAL_STEPS}, not '{text}'"),
                        )
                    })?,
            };
            let to_move = match query.get("to").map(|t| t.trim()) {
                None => false,
                Some("move") => true,
                Some(other) => {
                    return Err(ApiError::invalid(
                        "to",
                        format!("must be 'move' (the next valid move), not '{other}'"),
                    ));
                }
            };
            let deadline = Instant::now() + STEP_TIME_LIMIT;
            api.work.run(deadline, move |cancel| session.step(n, to_move, cancel)).await??
        }
    };
    Ok(json_reply(&reply, StatusCode::OK))
}

/// Change a session's pacing live (token): the running stream takes the new rate at
/// its next frame, with the same session and the same viewers.
async fn pacing<B: bytes::Buf>(
    api: Api,
    id: &str,
    length: Option<u64>,
    headers: &HeaderMap,
    body: impl futures_util::Stream<Item = Result<B, warp::Error>>,
) -> Result<Response, ApiError> {
    let session = session(&api, id)?;
    authorize(&api, &session, headers)?;
    let body = read_body(length, body).await?;
    let pacing = session.set_pacing(pacing_from_body(&body, session.pacing())?);
    let live = session.status();
    let answer = json!({
        "session_id": session.id(),
        "state": live.state,
        "step": live.progress().snapshot.step,
        "pacing": pacing,
    });
    Ok(json_reply(&answer, StatusCode::OK))
}

fn delete(api: &Api, id: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let session = session(api, id)?;
    authorize(api, &session, headers)?;
    api.sessions.delete(session.id())?;
    Ok(json_reply(&json!({ "session_id": session.id(), "deleted": true }), StatusCode::OK))
}

/// A file of the embedded page.
fn page(path: &str) -> Response {
    match crate::assets::asset(path) {
        Some(asset) => {
            let mut response = Response::new(asset.bytes.into());
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        None => ApiError::NotFound(format!("/static/{path}")).into_response(),
    }
}
