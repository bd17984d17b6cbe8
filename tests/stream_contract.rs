//! The one SSE contract every stream keeps, run against all three kinds of stream
//! (a session's, a room's, an experiment's): the same headers, `retry: 2000`
//! first, keep-alive comments at the server's `keep_alive` option, the same
//! `shutdown` payload, resuming by `Last-Event-ID` with no gap, and 204 for a
//! client that has the end already (sessions and experiments end; a room follows
//! its teacher for as long as it lives, so it has no end to be past).

mod support;

use std::time::Duration;

use kiln::server::ServeOptions;
use serde_json::{Value, json};
use support::{Event, PATIENCE, Sse, TestServer, butane};

/// Far below the 15 s default, so three keep-alives within [`PATIENCE`] can only
/// come from the option.
const KEEP_ALIVE: Duration = Duration::from_millis(100);

/// The three kinds of stream on one server, each silent (nothing happening).
struct Streams {
    session: String,
    room: String,
    experiment: String,
}

fn silent_experiment() -> Value {
    // One task long enough to stay running, silent after its `task_start`, for the
    // whole test; the server's stop cancels it.
    json!({"base": {"problem": "tsp", "instance": "berlin52", "steps_per_cycle": 100_000_000,
                    "num_cycles": 10}, "seeds": 1})
}

async fn open_all(server: &TestServer) -> Streams {
    let s = server.configure(butane(5)).await;
    let response = server.post_json("/api/rooms", &json!({})).await;
    assert_eq!(response.status(), 201);
    let room: Value = response.json().await.unwrap();
    let response = server.post_json("/api/experiments", &silent_experiment()).await;
    let body: Value = response.json().await.unwrap();
    assert!(body["experiment_id"].is_string(), "{body}");
    Streams {
        session: format!("/api/sa/{}/stream", s.id),
        room: format!("/api/rooms/{}/stream", room["code"].as_str().unwrap()),
        experiment: format!("/api/experiments/{}/stream", body["experiment_id"].as_str().unwrap()),
    }
}

fn options() -> ServeOptions {
    ServeOptions { keep_alive: KEEP_ALIVE, ..ServeOptions::default() }
}

/// Read until `n` keep-alive comments have come (skipping events).
async fn keep_alives(sse: &mut Sse, n: usize) {
    while sse.comments.iter().filter(|c| *c == "keep-alive").count() < n {
        assert!(sse.next_or_comment().await, "the stream ended before {n} keep-alives");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_stream_has_the_same_headers_retry_keep_alive_and_shutdown() {
    let mut server = TestServer::with(options()).await;
    let paths = open_all(&server).await;
    let mut streams = Vec::new();
    for path in [&paths.session, &paths.room, &paths.experiment] {
        let sse = server.stream_with(path, None).await;
        let h = &sse.headers;
        assert_eq!(h["content-type"], "text/event-stream", "{path}");
        assert_eq!(h["cache-control"], "no-cache", "{path}");
        assert_eq!(h["connection"], "keep-alive", "{path}");
        assert_eq!(h["x-accel-buffering"], "no", "{path}");
        streams.push((path.clone(), sse));
    }
    let (_, health) = server.get_json("/health").await;
    assert_eq!(
        health["open_streams"],
        json!({"session": 1, "room": 1, "experiment": 1, "total": 3}),
        "the server-wide registry counts every open stream"
    );
    for (path, sse) in &mut streams {
        // Three keep-alives within PATIENCE: the 15 s default would give one.
        tokio::time::timeout(PATIENCE, keep_alives(sse, 3))
            .await
            .unwrap_or_else(|_| panic!("{path}: no keep-alive at the option's interval"));
        assert_eq!(sse.retries.first(), Some(&2000), "{path}: retry: 2000 first");
    }
    let task = server.shutdown();
    for (path, sse) in &mut streams {
        let e = sse.next_named("shutdown").await;
        assert_eq!(e.json(), json!({"message": "the server is shutting down"}), "{path}");
        assert!(e.id.is_none(), "{path}");
        assert_eq!(sse.next().await, None, "{path}: the stream ends after shutdown");
    }
    tokio::time::timeout(PATIENCE, task).await.expect("the server stops").expect("no panic");
}

/// Every event with an id until the stream ends (or `until` is seen).
async fn ids_until(sse: &mut Sse, until: &str) -> Vec<Event> {
    let mut events = Vec::new();
    while let Some(e) = sse.next().await {
        let last = e.name == until;
        if e.id.is_some() {
            events.push(e);
        }
        if last {
            break;
        }
    }
    events
}

fn assert_resumes_with_no_gap(path: &str, all: &[Event], resumed: &[Event], from: u64) {
    let expected: Vec<(u64, String)> =
        all.iter().filter(|e| e.seq() > from).map(|e| (e.seq(), e.name.clone())).collect();
    let got: Vec<(u64, String)> = resumed.iter().map(|e| (e.seq(), e.name.clone())).collect();
    assert_eq!(got, expected, "{path}: resuming after {from} gets exactly the later events");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_stream_resumes_with_no_gap_and_answers_204_past_its_end() {
    let server = TestServer::start().await;
    let s = server.configure(butane(5)).await;
    let path = format!("/api/sa/{}/stream", s.id);
    let mut sse = server.stream_with(&path, None).await;
    assert_eq!(server.control(&s, "start").await.0, 200);
    let all = ids_until(&mut sse, "complete").await;
    let last = all.last().expect("events").seq();
    let from = all[1].seq();
    let resumed = ids_until(&mut server.stream_with(&path, Some(&from.to_string())).await, "complete").await;
    assert_resumes_with_no_gap(&path, &all, &resumed, from);
    assert_eq!(server.open_stream(&path, Some(&last.to_string())).await.status(), 204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_experiment_stream_resumes_with_no_gap_and_answers_204_past_its_end() {
    let server = TestServer::start().await;
    let plan = json!({"base": {"problem": "isomer", "formula": "C6H14"}, "seeds": 3});
    let body: Value = server.post_json("/api/experiments", &plan).await.json().await.unwrap();
    let path = format!("/api/experiments/{}/stream", body["experiment_id"].as_str().unwrap());
    let all = ids_until(&mut server.stream_with(&path, None).await, "execution_complete").await;
    let last = all.last().expect("events");
    assert_eq!(last.name, "execution_complete");
    let from = all[2].seq();
    let resumed =
        ids_until(&mut server.stream_with(&path, Some(&from.to_string())).await, "execution_complete").await;
    assert_resumes_with_no_gap(&path, &all, &resumed, from);
    assert_eq!(server.open_stream(&path, Some(&last.seq().to_string())).await.status(), 204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_stream_resumes_at_the_rooms_current_version() {
    let server = TestServer::start().await;
    let room: Value = server.post_json("/api/rooms", &json!({})).await.json().await.unwrap();
    let (code, token) = (room["code"].as_str().unwrap(), room["room_token"].as_str().unwrap());
    let path = format!("/api/rooms/{code}/stream");
    let mut sse = server.stream_with(&path, None).await;
    let first = sse.next().await.unwrap();
    assert_eq!((first.name.as_str(), first.seq()), ("room", 0));
    let s = server.configure(butane(5)).await;
    let set = server
        .client
        .post(server.url(&format!("/api/rooms/{code}/session")))
        .bearer_auth(token)
        .json(&json!({"session_id": s.id}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let changed = sse.next().await.unwrap();
    assert_eq!((changed.name.as_str(), changed.seq()), ("session_changed", 1));
    // A room is a state, not a history: a resumed stream opens with the state as it
    // is now (the newest version), so nothing between is missed.
    let mut resumed = server.stream_with(&path, Some("0")).await;
    let now = resumed.next().await.unwrap();
    assert_eq!((now.name.as_str(), now.seq()), ("room", 1));
    assert_eq!(now.json()["session_id"], s.id.as_str());
}
