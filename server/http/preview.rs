//! `POST /api/sa/preview`: the numbers a configure body would run with, without making
//! a session (issue 22, D7). The teacher's form shows them before Start, so the step
//! total it states is the one the run will have: a kind's defaults depend on the
//! instance (a lattice's size, a graph's order), and a live session is held to its
//! step limit, which only resolving the body tells.
//!
//! Resolving builds the problem, so it runs on the bounded pool with configure's time
//! limit, and is gated like configure (`--classroom`'s server key).

use std::time::Instant;

use serde_json::json;
use warp::http::StatusCode;
use warp::hyper::body::Bytes;
use warp::reply::Response;

use super::api::{Api, CONFIGURE_TIME_LIMIT, json_reply};
use super::error::ApiError;
use crate::kinds::{Request, Scope};

/// Answers 200 `{problem, config, total_steps, pacing, expected_seconds}`, or the
/// 400 that configuring the same body would answer.
pub async fn preview(api: Api, body: Bytes) -> Result<Response, ApiError> {
    if api.sessions().stopping() {
        return Err(ApiError::ShuttingDown);
    }
    let body = if body.iter().all(u8::is_ascii_whitespace) { Bytes::from_static(b"{}") } else { body };
    let request = Request::from_json(&body, Scope::Session)?;
    let registry = api.registry().clone();
    let resolved =
        api.work().run(Instant::now() + CONFIGURE_TIME_LIMIT, move |_| registry.resolve(&request)).await??;
    let answer = json!({
        "problem": resolved.run.kind(),
        "total_steps": resolved.config.total_steps(),
        "config": resolved.config,
        "pacing": resolved.pacing,
        "expected_seconds": resolved.expected_seconds,
    });
    Ok(json_reply(&answer, StatusCode::OK))
}
