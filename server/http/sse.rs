//! The one way an SSE stream becomes an HTTP response: the headers of
//! docs/protocol.md (`text/event-stream`, no caching, `Connection: keep-alive`, no
//! proxy buffering) on a follower's body, and the one reading of a reconnecting
//! client's `Last-Event-ID` (header, else `?last_event_id=`) and of `Accept`.

use std::collections::HashMap;

use warp::Reply;
use warp::http::{HeaderMap, HeaderValue, header};
use warp::reply::Response;

use super::error::ApiError;
use crate::live::Sessions;
use crate::live::budget::Caller;
use crate::live::sse::{Feed, resume_id};
use crate::live::streams::StreamKind;

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
