//! The SSE protocol of docs/protocol.md, against an in-process server with a
//! real HTTP client reading the raw stream bytes.

mod support;

use std::time::Duration;

use kiln::kinds::{Registry, Request, Scope};
use kiln::server::ServeOptions;
use serde_json::{Value, json};
use support::{Event, PATIENCE, Sse, TestServer, berlin, butane};

/// Read `n` progress events (skipping `waiting`), panicking on anything else.
async fn progress_events(sse: &mut Sse, n: usize) -> Vec<Event> {
    let mut events = Vec::new();
    while events.len() < n {
        let e = sse.next_significant().await.expect("stream ended early");
        assert_eq!(e.name, "progress", "{e:?}");
        events.push(e);
    }
    events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_has_the_design_headers_and_opens_with_retry_and_connected() {
    let server = TestServer::start().await;
    let s = server.configure(butane(5)).await;
    let mut sse = server.stream(&s).await;
    let h = &sse.headers;
    assert_eq!(h["content-type"], "text/event-stream");
    assert_eq!(h["cache-control"], "no-cache");
    assert_eq!(h["connection"], "keep-alive");
    assert_eq!(h["x-accel-buffering"], "no");
    assert!(h.get("content-encoding").is_none(), "the stream must not be compressed");
    let first = sse.next().await.expect("an event");
    assert_eq!(first.name, "connected");
    assert_eq!(sse.retries, vec![2000], "retry: 2000 comes before the first event");
    let data = first.json();
    assert_eq!(data["session_id"], s.id.as_str());
    assert!(data["client_id"].as_str().is_some_and(|c| c.len() == 36), "{data}");
    assert_eq!(data["state"], "idle");
    assert_eq!(data["step"], 0);
    assert_eq!(data["total_steps"], 5);
    assert_eq!(data["problem"], "isomer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_of_a_malformed_id_is_400_and_of_an_unknown_id_404() {
    let server = TestServer::start().await;
    let bad = server.open_stream("/api/sa/not-a-uuid/stream", None).await;
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_session_id");
    let unknown = server.open_stream("/api/sa/67e55044-10b1-426f-9247-bb680e5fe0c8/stream", None).await;
    assert_eq!(unknown.status(), 404);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unknown_session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_steps_at_one_step_per_event_give_five_progress_events_then_complete() {
    let server = TestServer::start().await;
    let s = server.configure(butane(5)).await;
    let mut sse = server.stream(&s).await;
    assert_eq!(sse.next().await.unwrap().name, "connected");
    assert_eq!(server.control(&s, "start").await.0, 200);
    let events = progress_events(&mut sse, 5).await;
    let steps: Vec<u64> = events.iter().map(Event::step).collect();
    assert_eq!(steps, [1, 2, 3, 4, 5]);
    let complete = sse.next_significant().await.expect("complete");
    assert_eq!(complete.name, "complete");
    assert_eq!(complete.step(), 5);
    assert!(complete.json()["best_svg"].as_str().is_some_and(|s| s.starts_with("<svg")));
    let ids: Vec<u64> = events.iter().chain([&complete]).map(Event::seq).collect();
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "ids increase by one: {ids:?}");
    assert_eq!(sse.next().await, None, "the stream ends after complete");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drawings_travel_only_when_they_changed_since_the_previous_event() {
    let server = TestServer::start().await;
    let s = server.configure(butane(40)).await;
    let mut sse = server.stream(&s).await;
    let connected = sse.next().await.unwrap().json();
    assert!(connected["progress"]["current_svg"].as_str().is_some(), "connected carries the drawings");
    server.control(&s, "start").await;
    let mut previous = connected["progress"].clone();
    let mut saw_omitted = false;
    for e in progress_events(&mut sse, 40).await {
        let p = e.json();
        let moved = p["accepted_moves"] != previous["accepted_moves"];
        assert_eq!(
            p.get("current_svg").is_some(),
            moved,
            "step {}: current_svg iff the state moved",
            e.step()
        );
        let improved = p["improvements"] != previous["improvements"];
        assert_eq!(p.get("best_svg").is_some(), improved, "step {}: best_svg iff the best moved", e.step());
        saw_omitted |= !moved;
        previous = p;
    }
    assert!(saw_omitted, "some step of 40 is rejected, so some event omits the drawing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_stops_progress_sends_waiting_and_start_resumes_from_the_same_step() {
    let server = TestServer::start().await;
    let s = server.configure(butane(10_000)).await;
    let mut sse = server.stream(&s).await;
    sse.next_named("connected").await;
    server.control(&s, "start").await;
    progress_events(&mut sse, 3).await;
    let (status, paused) = server.control(&s, "pause").await;
    assert_eq!(status, 200);
    assert_eq!(paused["state"], "paused");
    // Events already in flight may arrive; then only `waiting` comes.
    let mut last_step = 0;
    let mut waiting = 0;
    while waiting < 2 {
        let e = sse.next().await.expect("open");
        match e.name.as_str() {
            "progress" => {
                assert_eq!(waiting, 0, "no progress after a waiting event while paused");
                last_step = e.step();
            }
            "waiting" => {
                assert_eq!(e.json()["session_state"], "paused");
                waiting += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    let (_, status) = server.get_json(&format!("/api/sa/{}/status", s.id)).await;
    let paused_step = status["progress"]["step"].as_u64().unwrap();
    assert!(paused_step >= last_step);
    assert_eq!(server.control(&s, "start").await.0, 200);
    let resumed = progress_events(&mut sse, 1).await;
    assert_eq!(resumed[0].step(), paused_step + 1, "resumes from the step it paused at");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_returns_to_step_zero_with_a_new_run_number() {
    let server = TestServer::start().await;
    let s = server.configure(butane(10_000)).await;
    let mut sse = server.stream(&s).await;
    sse.next_named("connected").await;
    server.control(&s, "start").await;
    let before = progress_events(&mut sse, 3).await;
    assert_eq!(before[0].json()["run"], 1);
    let (status, reply) = server.control(&s, "reset").await;
    assert_eq!(status, 200);
    assert_eq!(reply["state"], "idle");
    assert_eq!(reply["step"], 0);
    let reset = loop {
        let e = sse.next_named("progress").await;
        if e.json()["run"] == 2 {
            break e;
        }
    };
    assert_eq!(reset.step(), 0);
    assert!(reset.seq() > before[2].seq(), "event ids keep increasing across resets");
    let waiting = sse.next_named("waiting").await;
    assert_eq!(waiting.json()["session_state"], "idle");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_while_paused_advances_exactly_n_steps() {
    let server = TestServer::start().await;
    let s = server.configure(butane(10_000)).await;
    let mut sse = server.stream(&s).await;
    sse.next_named("connected").await;
    server.control(&s, "start").await;
    progress_events(&mut sse, 2).await;
    server.control(&s, "pause").await;
    let (_, status) = server.get_json(&format!("/api/sa/{}/status", s.id)).await;
    let at = status["progress"]["step"].as_u64().unwrap();
    let (code, reply) = server.control(&s, "step?n=3").await;
    assert_eq!(code, 200, "{reply}");
    assert_eq!(reply["step"], at + 3);
    assert_eq!(reply["state"], "paused");
    // A manual step of ten or fewer shows each of its steps (docs/protocol.md): the
    // events after the pause are at + 1, at + 2 and at + 3, in order, nothing skipped.
    let mut next = at + 1;
    let shown = loop {
        let e = sse.next_named("progress").await;
        if e.step() <= at {
            continue;
        }
        assert_eq!(e.step(), next, "each manual step is shown once, in order");
        if next == at + 3 {
            break e;
        }
        next += 1;
    };
    assert_eq!(shown.json()["run"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_viewers_see_the_same_events_and_closing_one_leaves_the_other() {
    let server = TestServer::start().await;
    let s = server.configure(butane(10_000)).await;
    let mut a = server.stream(&s).await;
    let mut b = server.stream(&s).await;
    let id_a = a.next_named("connected").await.json()["client_id"].clone();
    let id_b = b.next_named("connected").await.json()["client_id"].clone();
    let status = server.await_streaming_status(&s, "two viewers", |v| v["streaming_clients"] == 2).await;
    let ids = status["client_ids"].as_array().unwrap();
    assert!(ids.contains(&id_a) && ids.contains(&id_b), "{status}");
    server.control(&s, "start").await;
    let seen_a = progress_events(&mut a, 6).await;
    let seen_b = progress_events(&mut b, 6).await;
    let key = |e: &Event| (e.seq(), e.step());
    assert_eq!(seen_a.iter().map(key).collect::<Vec<_>>(), seen_b.iter().map(key).collect::<Vec<_>>());
    drop(a);
    let status = server.await_streaming_status(&s, "one viewer", |v| v["streaming_clients"] == 1).await;
    assert_eq!(status["client_ids"], json!([id_b]));
    let more = progress_events(&mut b, 5).await;
    let steps: Vec<u64> = more.iter().map(Event::step).collect();
    assert!(steps.windows(2).all(|w| w[1] == w[0] + 1), "the other viewer goes on without a gap: {steps:?}");
    assert_eq!(more[0].seq(), seen_b[5].seq() + 1);
}

/// Start a session, read 4 events, drop the stream, let another viewer see 4
/// more, pause; returns (session, last id the first viewer saw, every event it
/// missed up to the pause).
async fn run_and_miss_events(server: &TestServer) -> (support::Created, u64, Vec<Event>) {
    let s = server.configure(butane(10_000)).await;
    let mut first = server.stream(&s).await;
    let mut other = server.stream(&s).await;
    first.next_named("connected").await;
    other.next_named("connected").await;
    server.control(&s, "start").await;
    let seen = progress_events(&mut first, 4).await;
    let last = seen[3].seq();
    drop(first);
    let mut missed = Vec::new();
    while missed.len() < 4 {
        let e = other.next_named("progress").await;
        if e.seq() > last {
            missed.push(e);
        }
    }
    server.control(&s, "pause").await;
    // `waiting` comes only once no frame is in flight: everything before it was missed.
    loop {
        let e = other.next().await.expect("open");
        match e.name.as_str() {
            "waiting" => break,
            "progress" => missed.push(e),
            other => panic!("unexpected {other}"),
        }
    }
    (s, last, missed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_with_last_event_id_header_replays_exactly_the_missed_events() {
    let server = TestServer::start().await;
    let (s, last, missed) = run_and_miss_events(&server).await;
    let mut again = server.stream_with(&format!("/api/sa/{}/stream", s.id), Some(&last.to_string())).await;
    again.next_named("connected").await;
    let replayed = progress_events(&mut again, missed.len()).await;
    let ids = |v: &[Event]| v.iter().map(|e| (e.seq(), e.step())).collect::<Vec<_>>();
    assert_eq!(ids(&replayed), ids(&missed), "no gap, no duplicate");
    assert_eq!(replayed[0].seq(), last + 1);
    let next = again.next().await.unwrap();
    assert_eq!(next.name, "waiting", "nothing else is replayed: {next:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_with_last_event_id_query_parameter_replays_exactly_the_missed_events() {
    let server = TestServer::start().await;
    let (s, last, missed) = run_and_miss_events(&server).await;
    let mut again = server.stream_with(&format!("/api/sa/{}/stream?last_event_id={last}", s.id), None).await;
    again.next_named("connected").await;
    let replayed = progress_events(&mut again, missed.len()).await;
    let ids = |v: &[Event]| v.iter().map(|e| (e.seq(), e.step())).collect::<Vec<_>>();
    assert_eq!(ids(&replayed), ids(&missed));
    assert_eq!(again.next().await.unwrap().name, "waiting");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_last_event_id_older_than_the_history_gets_one_resync() {
    let server = TestServer::with(ServeOptions { history: 8, ..Default::default() }).await;
    let s = server.configure(butane(10_000)).await;
    let mut viewer = server.stream(&s).await;
    viewer.next_named("connected").await;
    server.control(&s, "start").await;
    let events = progress_events(&mut viewer, 20).await;
    server.control(&s, "pause").await;
    let mut again = server.stream_with(&format!("/api/sa/{}/stream", s.id), Some("2")).await;
    again.next_named("connected").await;
    let resync = again.next().await.unwrap();
    assert_eq!(resync.name, "resync");
    let data = resync.json();
    assert!(data["step"].as_u64().unwrap() >= events[19].step());
    assert!(data["current_svg"].as_str().is_some() && data["best_svg"].as_str().is_some(), "full snapshot");
    let next = again.next().await.unwrap();
    assert!(next.name == "waiting" || next.seq() > resync.seq(), "no old event after resync: {next:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_with_the_final_id_of_a_complete_run_gets_204() {
    let server = TestServer::start().await;
    let s = server.configure(butane(3)).await;
    let mut sse = server.stream(&s).await;
    sse.next_named("connected").await;
    server.control(&s, "start").await;
    let complete = sse.next_named("complete").await;
    let response =
        server.open_stream(&format!("/api/sa/{}/stream", s.id), Some(&complete.seq().to_string())).await;
    assert_eq!(response.status(), 204);
    // An earlier id still replays up to the final event.
    let mut late = server
        .stream_with(&format!("/api/sa/{}/stream", s.id), Some(&(complete.seq() - 1).to_string()))
        .await;
    late.next_named("connected").await;
    assert_eq!(late.next().await.unwrap().seq(), complete.seq());
    assert_eq!(late.next().await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_numeric_last_event_id_is_treated_as_absent() {
    let server = TestServer::start().await;
    let s = server.configure(butane(5)).await;
    let mut sse = server.stream_with(&format!("/api/sa/{}/stream", s.id), Some("banana")).await;
    assert_eq!(sse.next().await.unwrap().name, "connected");
    let waiting = sse.next().await.unwrap();
    assert_eq!(waiting.name, "waiting", "a fresh viewer, no resync: {waiting:?}");
    let query = server.open_stream(&format!("/api/sa/{}/stream?last_event_id=x1", s.id), None).await;
    assert_eq!(query.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_while_four_streams_run_at_max_speed() {
    let server = TestServer::start().await;
    let mut streams = Vec::new();
    for _ in 0..4 {
        let s = server.configure(berlin(50_000_000, json!("max"))).await;
        let mut sse = server.stream(&s).await;
        sse.next_named("connected").await;
        server.control(&s, "start").await;
        sse.next_named("progress").await;
        streams.push(sse);
    }
    for _ in 0..5 {
        let health =
            tokio::time::timeout(PATIENCE, server.get_json("/health")).await.expect("health answers");
        assert_eq!(health.0, 200);
        assert_eq!(health.1["status"], "ok");
        assert_eq!(health.1["sessions"], 4);
    }
    for sse in &mut streams {
        sse.next_named("progress").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_disconnects_mid_run_stops_the_run() {
    let server = TestServer::start().await;
    let s = server.configure(berlin(50_000_000, json!(100))).await;
    let mut sse = server.stream(&s).await;
    sse.next_named("connected").await;
    server.control(&s, "start").await;
    sse.next_named("progress").await;
    drop(sse);
    // Frames start only from a viewer's claim: once no viewer is left and no frame
    // (one claimed just before the disconnect) is running, nothing can move the run.
    let settled = server
        .await_streaming_status(&s, "no viewers and no frame running", |v| {
            v["streaming_clients"] == 0 && v["stepping"] == false
        })
        .await;
    assert_eq!(settled["has_active_stream"], false);
    let step = |v: &Value| v["step"].as_u64().unwrap();
    for _ in 0..3 {
        let now = server.await_streaming_status(&s, "status", |_| true).await;
        assert_eq!(step(&now), step(&settled), "the step count stops moving");
        assert_eq!(now["status"], "running", "still running, just not advancing");
        assert_eq!(now["stepping"], false, "no frame starts without a viewer");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_json_on_the_stream_url_answers_the_completed_run_as_one_document() {
    let server = TestServer::start().await;
    let s = server.configure(berlin(20_000, json!(1))).await;
    // Only the token's holder drives the run (a stranger gets it as it stands).
    let response = server
        .client
        .get(server.url(&format!("/api/sa/{}/stream", s.id)))
        .header("Accept", "application/json")
        .header("Authorization", format!("Bearer {}", s.token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["session_id"], s.id.as_str());
    assert_eq!(body["result"]["step"], 20_000);
    assert_eq!(body["result"]["is_complete"], true);
    assert!(body["result"]["best_svg"].as_str().is_some());
    let events = body["events"].as_array().unwrap();
    assert!(!events.is_empty() && events.len() <= 101, "{} sampled events", events.len());
    let (_, status) = server.get_json(&format!("/api/sa/{}/status", s.id)).await;
    assert_eq!(status["state"], "complete");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_sends_shutdown_to_every_open_stream_and_stops_within_two_seconds() {
    let mut server = TestServer::start().await;
    let s = server.configure(berlin(50_000_000, json!(10))).await;
    server.control(&s, "start").await;
    let mut streams = Vec::new();
    for _ in 0..3 {
        let mut sse = server.stream(&s).await;
        sse.next_named("connected").await;
        streams.push(sse);
    }
    for sse in &mut streams {
        sse.next_named("progress").await;
    }
    let started = tokio::time::Instant::now();
    let task = server.shutdown();
    for sse in &mut streams {
        let e = sse.next_named("shutdown").await;
        assert!(e.id.is_none());
        assert_eq!(sse.next().await, None, "the stream ends after shutdown");
    }
    tokio::time::timeout(Duration::from_secs(2), task)
        .await
        .expect("the server stops within 2 seconds")
        .expect("no panic");
    assert!(started.elapsed() <= Duration::from_secs(2));
    assert!(reqwest::get(server.url("/health")).await.is_err(), "nothing listens any more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sessions_numbers_equal_kiln_run_with_the_same_parameters() {
    let server = TestServer::start().await;
    let cases = [
        (
            // The schedule and temperatures are given: a live session's isomer defaults
            // (the classroom's) and a headless run's (sized to the formula) differ.
            json!({"formula": "C7H16", "steps_per_cycle": 300, "num_cycles": 2, "steps_per_event": 50, "seed": 7,
                   "schedule": "geometric", "initial_temp": 20.0, "final_temp": 0.5}),
            vec![
                "--problem",
                "isomer",
                "--formula",
                "C7H16",
                "--schedule",
                "geometric",
                "--initial-temp",
                "20",
                "--final-temp",
                "0.5",
                "--steps",
                "600",
                "--cycles",
                "2",
                "--seed",
                "7",
            ],
        ),
        (
            // A session's tour takes local moves by default and `kiln run`'s large
            // steps: the moves are given, both ways.
            berlin(30_000, json!(5_000)),
            vec!["--problem", "tsp", "--instance", "berlin52", "--steps", "30000", "--moves", "local"],
        ),
        (
            json!({"problem": "tsp", "instance": "berlin52", "moves": "large", "steps_per_cycle": 3_000,
                   "num_cycles": 1, "steps_per_event": 500, "max_events_per_sec": 60, "seed": 4}),
            vec![
                "--problem",
                "tsp",
                "--instance",
                "berlin52",
                "--steps",
                "3000",
                "--moves",
                "large",
                "--seed",
                "4",
            ],
        ),
        (
            json!({"problem": "magnet", "lattice": 16, "steps_per_cycle": 1000, "num_cycles": 3, "seed": 3,
                   "steps_per_event": 500, "max_events_per_sec": 60}),
            vec![
                "--problem",
                "magnet",
                "--param",
                "lattice=16",
                "--steps",
                "3000",
                "--cycles",
                "3",
                "--seed",
                "3",
            ],
        ),
    ];
    for (params, cli) in cases {
        let s = server.configure(params.clone()).await;
        let mut sse = server.stream(&s).await;
        sse.next_named("connected").await;
        server.control(&s, "start").await;
        let live = sse.next_named("complete").await.json();
        let request = Request::from_map(params.as_object().unwrap().clone(), Scope::Session);
        let mut run = Registry::builtin().resolve(&request).unwrap().run;
        run.run(u64::MAX);
        let headless = serde_json::to_value(run.progress()).unwrap();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_kiln"))
            .arg("run")
            .args(&cli)
            .arg("--json")
            .output()
            .expect("run the kiln binary");
        assert!(output.status.success(), "kiln run {cli:?}: {}", String::from_utf8_lossy(&output.stderr));
        let printed: Value = serde_json::from_slice(&output.stdout).expect("kiln run --json prints JSON");
        for field in [
            "step",
            "current_energy",
            "best_energy",
            "best_step",
            "accepted_moves",
            "rejected_moves",
            "invalid_moves",
            "improvements",
            "temperature",
            "best_smiles",
            "distinct_isomers",
            "magnetization",
        ] {
            assert_eq!(live[field], headless[field], "{field} against the library");
            assert_eq!(live[field], printed[field], "{field} against `kiln run {}`", cli.join(" "));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_stream_sends_keep_alive_comments() {
    let options = ServeOptions { keep_alive: Duration::from_millis(200), ..Default::default() };
    let server = TestServer::with(options).await;
    let s = server.configure(butane(5)).await;
    let mut sse = server.stream(&s).await;
    sse.next_named("connected").await;
    // Between two `waiting` events (a second apart) there are 200 ms silences.
    sse.next_named("waiting").await;
    sse.next_named("waiting").await;
    assert!(sse.comments.iter().any(|c| c == "keep-alive"), "comments: {:?}", sse.comments);
}
