//! The one way an SSE stream becomes an HTTP response: the headers of
//! docs/protocol.md (`text/event-stream`, no caching, `Connection: keep-alive`, no
//! proxy buffering) on a follower's body, and the one reading of a reconnecting
//! client's `Last-Event-ID` (header, else `?last_event_id=`) and of `Accept`; and
//! [`stream_request`], the one filter of the `GET .../{id}/stream` routes.

use std::collections::HashMap;
use std::convert::Infallible;

use warp::http::{HeaderMap, HeaderValue, header};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::api::{Api, caller, client};
use super::error::ApiError;
use crate::live::Sessions;
use crate::live::budget::Caller;
use crate::live::sse::{Feed, resume_id};
use crate::live::streams::StreamKind;

/// What a stream route's handler reads from `GET {prefix}/{id}/stream`: the id, the
/// API (from `ctx`), who is asking ([`caller`]: their address and whether they hold the server
/// key), the query (`?last_event_id=`) and the headers (`Last-Event-ID`, `Accept`).
/// The session and experiment streams share it, so neither can miss a part.
pub(super) fn stream_request(
    prefix: impl Filter<Extract = (), Error = Rejection> + Clone + Send + Sync + 'static,
    ctx: impl Filter<Extract = (Api,), Error = Infallible> + Clone + Send + Sync + 'static,
) -> impl Filter<Extract = (String, Api, Caller, HashMap<String, String>, HeaderMap), Error = Rejection> + Clone
{
    prefix
        .and(warp::path::param::<String>())
        .and(warp::path!("stream"))
        .and(warp::get())
        .and(ctx)
        .and(client())
        .and(warp::query::<HashMap<String, String>>())
        .and(warp::header::headers_cloned())
        .map(|id: String, api: Api, client, query: HashMap<String, String>, headers: HeaderMap| {
            let caller = caller(&api, client, &headers);
            (id, api, caller, query, headers)
        })
        .untuple_one()
}

/// The SSE response of `feed`, run by the server's follower (keep-alive, shutdown)
/// and counted as a `kind` stream of `caller` while it is open; 429 when the caller
/// or the server is at its stream budget.
pub fn follow<F: Feed>(
    sessions: &Sessions,
    kind: StreamKind,
    caller: &Caller,
    feed: F,
) -> Result<Response, ApiError> {
    let body = sessions.follow(kind, caller, feed)?.body();
    let mut response = warp::reply::stream(sync_wrapper::SyncStream::new(body)).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::CONNECTION, HeaderValue::from_static("keep-alive"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// The event id a reconnecting client has: the `Last-Event-ID` header, else the
/// `last_event_id` query parameter; anything not a number counts as absent.
pub fn last_event_id(query: &HashMap<String, String>, headers: &HeaderMap) -> Option<u64> {
    let header = headers.get("last-event-id").and_then(|v| v.to_str().ok());
    resume_id(header, query.get("last_event_id").map(String::as_str))
}

/// Whether the client's `Accept` asks for `text/event-stream`.
pub fn accepts_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|t| t.trim().starts_with("text/event-stream")))
}
