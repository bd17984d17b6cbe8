//! The HTTP API (DESIGN.md section 5) and the page routes, as warp filters.
//!
//! Each route is a small filter that extracts what its handler needs (path id,
//! headers, body) and a handler that returns `Result<Response, ApiError>`; errors
//! become JSON in one place ([`ApiError`]'s `Reply`). Handlers never hold a
//! session lock across an `.await`. Anything that runs steps or builds a problem
//! goes to the bounded [`Work`] pool with a deadline, and stops when its client goes
//! away; only the control token's holder can make a run advance (the batch fallback
//! included). [`allowed_methods`] is the table of which methods each path answers,
//! for the `Allow` header of a 405 ([`crate::edge`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use uuid::Uuid;
use warp::filters::BoxedFilter;
use warp::http::{HeaderMap, HeaderValue, StatusCode, header};
use warp::hyper::body::Bytes;
use warp::reply::Response;
use warp::{Filter, Reply};

use crate::catalog;
use crate::error::ApiError;
use crate::params::RunParams;
use crate::session::{Control, MAX_MANUAL_STEPS, Session, SessionState};
use crate::sessions::Sessions;
use crate::stream::{Viewer, body};
use crate::work::Work;

/// Largest request body (a TSPLIB text of a few thousand cities fits).
pub const BODY_LIMIT: u64 = 1024 * 1024;
/// A body over [`BODY_LIMIT`] but under this is read to its end and dropped before
/// the 413 is sent, so a client still writing it reads the answer instead of a
/// broken pipe; a larger one is refused at once and its connection closed.
pub const DRAIN_LIMIT: u64 = 16 * BODY_LIMIT;
/// Longest a request body may take to arrive (and an oversized one to be drained).
pub const BODY_TIME_LIMIT: Duration = Duration::from_secs(10);
/// Longest the JSON batch fallback drives a run before answering.
pub const BATCH_TIME_LIMIT: Duration = Duration::from_secs(20);
/// Longest a manual `step?n=` runs (waiting for a worker included) before it
/// answers with the step it reached.
pub const STEP_TIME_LIMIT: Duration = Duration::from_secs(5);
/// Longest a configure may wait for a worker and build its problem.
pub const CONFIGURE_TIME_LIMIT: Duration = Duration::from_secs(20);
/// Progress samples in a batch answer.
pub const BATCH_SAMPLES: u64 = 100;

/// What every handler shares.
#[derive(Clone)]
pub struct Api {
    /// The sessions.
    pub sessions: Sessions,
    /// Skip the control-token check (`kiln serve --no-auth`).
    pub no_auth: bool,
    /// `kiln serve --classroom`: creating a session needs this key.
    pub server_key: Option<Arc<str>>,
    /// The bounded pool for long work.
    pub work: Work,
}

/// The methods a path answers, for the `Allow` header of a 405 (HEAD wherever GET).
/// It mirrors [`routes`]; a path no route knows has none.
pub fn allowed_methods(path: &str) -> Option<&'static str> {
    const READ: &str = "GET, HEAD";
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        [""] | ["health"] | ["api", "problems"] | ["api", "sa"] | ["watch", _] => Some(READ),
        ["static", ..] => Some(READ),
        ["api", "sa", "configure"] => Some("POST"),
        ["api", "sa", _] => Some("DELETE"),
        ["api", "sa", _, "status" | "streaming-status" | "stream" | "watch-qr.svg" | "record"] => Some(READ),
        ["api", "sa", _, "start" | "pause" | "resume" | "reset" | "step"] => Some("POST"),
        _ => None,
    }
}

/// Every route of the server, errors turned into JSON.
pub fn routes(api: Api) -> BoxedFilter<(Response,)> {
    let ctx = warp::any().map(move || api.clone());
    let id = warp::path::param::<String>();
    let headers = warp::header::headers_cloned();
    let get = warp::get();
    let post = warp::post();

    let health = warp::path!("health").and(get).and(ctx.clone()).map(|api: Api| health(&api));
    let problems = warp::path!("api" / "problems")
        .and(get)
        .map(|| warp::reply::json(&catalog::problems()).into_response());
    let configure = warp::path!("api" / "sa" / "configure")
        .and(post)
        .and(ctx.clone())
        .and(warp::header::optional::<u64>("content-length"))
        .and(headers)
        .and(warp::body::stream())
        .then(|api: Api, length: Option<u64>, headers: HeaderMap, body| async move {
            if let Err(e) = check_server_key(&api, &headers) {
                return e.into_response();
            }
            match read_body(length, body).await {
                Ok(body) => reply(configure(api, body).await),
                Err(e) => e.into_response(),
            }
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
    let stream = sa()
        .and(id)
        .and(warp::path!("stream"))
        .and(get)
        .and(ctx.clone())
        .and(warp::query::<HashMap<String, String>>())
        .and(headers)
        .then(|id: String, api: Api, query: HashMap<String, String>, headers: HeaderMap| async move {
            reply(stream(api, &id, &query, &headers).await)
        });
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
    let watch = warp::path!("watch" / String).and(get).map(|_: String| page("index.html"));
    let statics = warp::path("static")
        .and(warp::path::tail())
        .and(get)
        .map(|tail: warp::path::Tail| page(tail.as_str()));

    health
        .or(problems)
        .unify()
        .or(configure)
        .unify()
        .or(list)
        .unify()
        .or(status)
        .unify()
        .or(streaming_status)
        .unify()
        .or(stream)
        .unify()
        .or(qr)
        .unify()
        .or(record)
        .unify()
        .or(control)
        .unify()
        .or(delete)
        .unify()
        .or(index)
        .unify()
        .or(watch)
        .unify()
        .or(statics)
        .unify()
        .recover(crate::error::recover)
        .unify()
        .boxed()
}

/// Read a request body of at most [`BODY_LIMIT`] bytes.
///
/// warp's `content_length_limit` rejects on the header alone, and hyper then closes
/// the connection while the client is still sending: the client sees a broken pipe
/// or a reset, never the 413 (a browser uploading a too-large TSPLIB file shows a
/// network error). So an oversized body is read to its end and thrown away, bounded
/// by [`DRAIN_LIMIT`] bytes and [`BODY_TIME_LIMIT`], before the 413 goes out.
async fn read_body<B: bytes::Buf>(
    declared: Option<u64>,
    body: impl futures_util::Stream<Item = Result<B, warp::Error>>,
) -> Result<Bytes, ApiError> {
    use futures_util::StreamExt;
    let too_large = || ApiError::PayloadTooLarge { limit: BODY_LIMIT };
    if declared.is_some_and(|n| n > DRAIN_LIMIT) {
        return Err(too_large());
    }
    let deadline = tokio::time::Instant::now() + BODY_TIME_LIMIT;
    let mut body = std::pin::pin!(body);
    let mut kept = bytes::BytesMut::new();
    let mut seen: u64 = 0;
    loop {
        let chunk = match tokio::time::timeout_at(deadline, body.next()).await {
            Ok(Some(Ok(chunk))) => chunk,
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                return Err(ApiError::BadRequest {
                    code: "invalid_body",
                    message: format!("the request body could not be read: {e}"),
                    field: None,
                });
            }
            Err(_) if seen > BODY_LIMIT => return Err(too_large()),
            Err(_) => return Err(ApiError::BodyTimeout { seconds: BODY_TIME_LIMIT.as_secs() }),
        };
        seen += chunk.remaining() as u64;
        if seen <= BODY_LIMIT {
            bytes::BufMut::put(&mut kept, chunk);
        } else if seen > DRAIN_LIMIT {
            return Err(too_large());
        }
    }
    if seen > BODY_LIMIT { Err(too_large()) } else { Ok(kept.freeze()) }
}

fn reply(result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(Reply::into_response)
}

fn json_reply(value: &impl serde::Serialize, status: StatusCode) -> Response {
    warp::reply::with_status(warp::reply::json(value), status).into_response()
}

/// A path id as a UUID; 400 otherwise.
fn parse_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::BadRequest {
        code: "invalid_session_id",
        message: format!("'{id}' is not a session id (a UUID such as 67e55044-10b1-426f-9247-bb680e5fe0c8)"),
        field: None,
    })
}

fn session(api: &Api, id: &str) -> Result<Arc<Session>, ApiError> {
    api.sessions.get(parse_id(id)?)
}

/// The `Authorization: Bearer` value, if any.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).map(str::trim)
}

/// Check `Authorization: Bearer <token>` against the session's token; the owner's
/// call keeps the session alive.
fn authorize(api: &Api, session: &Session, headers: &HeaderMap) -> Result<(), ApiError> {
    if !api.no_auth {
        let token = bearer(headers).ok_or(ApiError::MissingToken)?;
        if !session.token_matches(token) {
            return Err(ApiError::WrongToken);
        }
    }
    session.touch();
    Ok(())
}

/// With `--classroom`, creating a session needs `Authorization: Bearer <server key>`.
fn check_server_key(api: &Api, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(key) = &api.server_key else { return Ok(()) };
    let presented = bearer(headers).ok_or(ApiError::MissingServerKey)?;
    let (a, b) = (key.as_bytes(), presented.as_bytes());
    let same = a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
    if same { Ok(()) } else { Err(ApiError::WrongServerKey) }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::Internal(e.to_string()))
}

fn health(api: &Api) -> Response {
    let body = json!({
        "status": "ok",
        "sessions": api.sessions.count(),
        "streams": api.sessions.open_streams(),
        "uptime_s": api.sessions.uptime().as_secs(),
    });
    json_reply(&body, StatusCode::OK)
}

async fn configure(api: Api, body: Bytes) -> Result<Response, ApiError> {
    if api.sessions.stopping() {
        return Err(ApiError::ShuttingDown);
    }
    let body = if body.iter().all(u8::is_ascii_whitespace) { Bytes::from_static(b"{}") } else { body };
    api.sessions.check_room()?;
    let sessions = api.sessions.clone();
    // Parsing a TSPLIB text and building the problem take real CPU: on the pool.
    let session = api
        .work
        .run(Instant::now() + CONFIGURE_TIME_LIMIT, move |_| {
            let resolved = RunParams::from_json(&body)?.resolve_for_session()?;
            sessions.create(resolved)
        })
        .await??;
    let id = session.id;
    let live = session.live();
    let body = json!({
        "session_id": id,
        "control_token": session.token(),
        "state": live.state,
        "total_steps": live.latest.progress.total_steps,
        "problem": session.spec.kind(),
        "config": session.config,
        "pacing": session.pacing,
        "stream_url": format!("/api/sa/{id}/stream"),
        "watch_url": format!("/watch/{id}"),
        "qr_url": format!("/api/sa/{id}/watch-qr.svg"),
    });
    drop(live);
    Ok(json_reply(&body, StatusCode::CREATED))
}

fn list(api: &Api) -> Response {
    let sessions: Vec<_> = api
        .sessions
        .list()
        .iter()
        .map(|s| {
            let live = s.live();
            json!({
                "session_id": s.id,
                "problem": s.spec.kind(),
                "state": live.state,
                "step": live.latest.progress.step,
                "total_steps": live.latest.progress.total_steps,
                "viewers": live.clients.len(),
                "created_at": s.created_at,
            })
        })
        .collect();
    json_reply(&json!({ "sessions": sessions }), StatusCode::OK)
}

fn status(api: &Api, id: &str) -> Result<Response, ApiError> {
    let session = session(api, id)?;
    let live = session.live();
    let body = json!({
        "session_id": session.id,
        "state": live.state,
        "problem": session.spec.kind(),
        "spec": session.spec,
        "config": session.config,
        "pacing": session.pacing,
        "created_at": session.created_at,
        "viewers": live.clients.len(),
        "progress": live.latest.progress,
    });
    Ok(json_reply(&body, StatusCode::OK))
}

fn streaming_status(api: &Api, id: &str) -> Result<Response, ApiError> {
    let session = session(api, id)?;
    let live = session.live();
    let body = json!({
        "session_id": session.id,
        "has_active_stream": !live.clients.is_empty(),
        "streaming_clients": live.clients.len(),
        "client_ids": live.clients,
        "buffered_events": live.history.len(),
        "last_event_id": live.latest_id(),
        "is_complete": live.state == SessionState::Complete,
        "status": live.state,
        "step": live.latest.progress.step,
        "created_at": session.created_at,
    });
    Ok(json_reply(&body, StatusCode::OK))
}

/// The event id a reconnecting client has: the `Last-Event-ID` header, else the
/// `last_event_id` query parameter; anything not a number counts as absent.
fn last_event_id(query: &HashMap<String, String>, headers: &HeaderMap) -> Option<u64> {
    let header =
        headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
    header.or_else(|| query.get("last_event_id").and_then(|v| v.trim().parse().ok()))
}

fn accepts_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|t| t.trim().starts_with("text/event-stream")))
}

async fn stream(
    api: Api,
    id: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let session = session(&api, id)?;
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
    let cursor = {
        let live = session.live();
        let complete = live.state == SessionState::Complete;
        match resume {
            Some(id) if complete && id == live.latest_id() => {
                return Ok(StatusCode::NO_CONTENT.into_response());
            }
            Some(id) => id,
            None if complete => live.latest_id().saturating_sub(1),
            None => live.latest_id(),
        }
    };
    let slot = api.sessions.open_stream(&session)?;
    let keep_alive = api.sessions.limits().keep_alive;
    let viewer = Viewer::new(session, slot, cursor, api.sessions.stop_signal(), keep_alive);
    let body = sync_wrapper::SyncStream::new(body(viewer));
    let mut response = warp::reply::stream(body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::CONNECTION, HeaderValue::from_static("keep-alive"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// The JSON fallback for the token's holder: drive the run to completion (bounded
/// in time, on the pool) and answer with the result and sampled progress.
async fn batch(api: Api, session: Arc<Session>) -> Result<Response, ApiError> {
    let deadline = Instant::now() + BATCH_TIME_LIMIT;
    let worker = session.clone();
    let (samples, last) =
        api.work.run(deadline, move |cancel| worker.run_to_end(BATCH_SAMPLES, cancel)).await?;
    let events: Vec<_> = samples.iter().map(|f| &f.progress).collect();
    let body = json!({
        "session_id": session.id,
        "is_complete": last.progress.is_complete,
        "result": last.value_with_drawings(),
        "events": events,
    });
    Ok(json_reply(&body, StatusCode::OK))
}

/// The JSON fallback for anyone without the token: the session as it stands, with
/// the progress of (at most [`BATCH_SAMPLES`]) events of its history.
fn as_it_stands(session: &Session) -> Response {
    let live = session.live();
    let every = (live.history.len() / BATCH_SAMPLES as usize).max(1);
    let events: Vec<_> = live.history.iter().step_by(every).map(|e| e.frame.progress.clone()).collect();
    let body = json!({
        "session_id": session.id,
        "state": live.state,
        "is_complete": live.state == SessionState::Complete,
        "result": live.latest.value_with_drawings(),
        "events": events,
    });
    drop(live);
    json_reply(&body, StatusCode::OK)
}

fn watch_qr(api: &Api, id: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let session = session(api, id)?;
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let url = format!("http://{host}/watch/{}", session.id);
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
            let deadline = Instant::now() + STEP_TIME_LIMIT;
            api.work.run(deadline, move |cancel| session.step(n, cancel)).await??
        }
    };
    Ok(json_reply(&reply, StatusCode::OK))
}

fn delete(api: &Api, id: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let session = session(api, id)?;
    authorize(api, &session, headers)?;
    api.sessions.delete(session.id)?;
    Ok(json_reply(&json!({ "session_id": session.id, "deleted": true }), StatusCode::OK))
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
