//! The batch fallback: a client whose `Accept` lacks `text/event-stream` gets one
//! JSON document {session_id, is_complete, result, events} instead of a stream.
//! For the control token's holder it drives the run to completion, on the bounded
//! pool, within [`BATCH_TIME_LIMIT`] and stopped when the client goes away;
//! anyone else gets the session as it stands ([`as_it_stands`]), so a watcher's
//! `curl` cannot finish or freeze a run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;

use super::api::{Api, json_reply};
use super::error::ApiError;
use crate::live::Session;

/// Longest the JSON batch fallback drives a run before answering.
pub const BATCH_TIME_LIMIT: Duration = Duration::from_secs(20);
/// Progress samples in a batch answer.
pub const BATCH_SAMPLES: u64 = 100;

/// The JSON fallback for the token's holder: drive the run to completion (bounded
/// in time, on the pool) and answer with the result and sampled progress.
pub async fn batch(api: Api, session: Arc<Session>) -> Result<Response, ApiError> {
    let deadline = Instant::now() + BATCH_TIME_LIMIT;
    let stop = api.sessions().stop_signal();
    let worker = session.clone();
    let (samples, last) = api
        .work()
        .run(deadline, move |cancel| worker.run_to_end(BATCH_SAMPLES, cancel, || *stop.borrow()))
        .await?;
    let events: Vec<_> = samples.iter().map(|f| &f.progress).collect();
    let body = json!({
        "session_id": session.id(),
        "is_complete": last.progress.snapshot.is_complete,
        "result": last.value_with_drawings(),
        "events": events,
    });
    Ok(json_reply(&body, StatusCode::OK))
}

/// The JSON fallback for anyone without the token: the session as it stands, with
/// the progress of (at most [`BATCH_SAMPLES`]) events of its history.
pub fn as_it_stands(session: &Session) -> Response {
    let live = session.status();
    let body = json!({
        "session_id": session.id(),
        "state": live.state,
        "is_complete": live.is_complete(),
        "result": live.latest.value_with_drawings(),
        "events": session.sampled_progress(BATCH_SAMPLES as usize),
    });
    json_reply(&body, StatusCode::OK)
}
