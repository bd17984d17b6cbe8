//! The batch fallback: a client whose `Accept` lacks `text/event-stream` gets one
//! JSON document {session_id, is_complete, result, events} instead of a stream.
//! It drives the run to completion, bounded by [`BATCH_TIME_LIMIT`] and stopped by
//! the server's shutdown. (The protocol wants only the control token's holder to drive
//! it; that check belongs to the hardening work and is not made here yet.)

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;

use super::error::ApiError;
use super::routes::{Api, blocking, json_reply};
use crate::live::Session;

/// Longest the JSON batch fallback drives a run before answering.
pub const BATCH_TIME_LIMIT: Duration = Duration::from_secs(20);
/// Progress samples in a batch answer.
pub const BATCH_SAMPLES: u64 = 100;

/// The JSON fallback: drive the run to completion (bounded in time) and answer
/// with the result and sampled progress.
pub async fn batch(api: Api, session: Arc<Session>) -> Result<Response, ApiError> {
    let deadline = Instant::now() + BATCH_TIME_LIMIT;
    let stop = api.sessions().stop_signal();
    let worker = session.clone();
    let (samples, last) =
        blocking(move || worker.run_to_end(BATCH_SAMPLES, deadline, || *stop.borrow())).await?;
    let events: Vec<_> = samples.iter().map(|f| &f.progress).collect();
    let body = json!({
        "session_id": session.id(),
        "is_complete": last.progress.is_complete,
        "result": last.value_with_drawings(),
        "events": events,
    });
    Ok(json_reply(&body, StatusCode::OK))
}
