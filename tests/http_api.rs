//! The HTTP API of docs/protocol.md outside the stream: configure, control,
//! auth, errors and limits, listing, health, TTL, page routes.

mod support;

use std::time::Duration;

use kiln::server::ServeOptions;
use serde_json::{Value, json};
use support::{TestServer, berlin, butane};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configure_answers_201_with_ids_token_and_urls() {
    let server = TestServer::start().await;
    let s = server.configure(butane(5)).await;
    let b = &s.body;
    assert_eq!(uuid::Uuid::parse_str(&s.id).unwrap().get_version_num(), 4);
    assert!(s.token.len() >= 32);
    assert_eq!(b["state"], "idle");
    assert_eq!(b["total_steps"], 5);
    assert_eq!(b["problem"], "isomer");
    assert_eq!(b["stream_url"], format!("/api/sa/{}/stream", s.id));
    // Absolute, with the address phones reach (a loopback-only test server keeps its own).
    assert_eq!(b["watch_url"], server.url(&format!("/watch/{}", s.id)));
    assert_eq!(b["qr_url"], format!("/api/sa/{}/watch-qr.svg", s.id));
    assert_eq!(b["ignored_params"], json!([]), "every given parameter is used");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configure_reports_the_parameters_its_schedule_ignores() {
    // `auto` estimates its own temperatures, so a given `initial_temp` is not used.
    let server = TestServer::start().await;
    let auto = server.configure(json!({"formula": "C6H14", "schedule": "auto", "initial_temp": 50})).await;
    assert_eq!(auto.body["ignored_params"], json!(["initial_temp"]));
    let faulon =
        server.configure(json!({"formula": "C6H14", "schedule": "faulon", "initial_temp": 50})).await;
    assert_eq!(faulon.body["ignored_params"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_without_a_token_is_401_and_with_a_wrong_token_403() {
    let server = TestServer::start().await;
    let s = server.configure(butane(5)).await;
    let url = server.url(&format!("/api/sa/{}/start", s.id));
    let none = server.client.post(&url).send().await.unwrap();
    assert_eq!(none.status(), 401);
    let body: Value = none.json().await.unwrap();
    assert_eq!(body["error"]["code"], "missing_token");
    let wrong = server.client.post(&url).bearer_auth("not-the-token").send().await.unwrap();
    assert_eq!(wrong.status(), 403);
    let delete = server.client.delete(server.url(&format!("/api/sa/{}", s.id))).send().await.unwrap();
    assert_eq!(delete.status(), 401);
    assert_eq!(server.control(&s, "start").await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_auth_mode_accepts_control_without_a_token() {
    let server = TestServer::with(ServeOptions { no_auth: true, ..Default::default() }).await;
    let s = server.configure(butane(5)).await;
    let response = server.client.post(server.url(&format!("/api/sa/{}/start", s.id))).send().await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transition_that_does_not_apply_is_409_with_the_current_state() {
    let server = TestServer::start().await;
    let s = server.configure(butane(5)).await;
    let (status, body) = server.control(&s, "pause").await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "invalid_transition");
    assert_eq!(body["error"]["field"], Value::Null);
    assert_eq!(body["state"], "idle");
    assert_eq!(server.control(&s, "resume").await.0, 409);
    assert_eq!(server.control(&s, "start").await.0, 200);
    let (status, body) = server.control(&s, "start").await;
    assert_eq!((status, body["state"].clone()), (409, json!("running")));
    assert_eq!(server.control(&s, "step?n=2").await.0, 409, "no manual steps while running");
    assert_eq!(server.control(&s, "pause").await.0, 200);
    assert_eq!(server.control(&s, "resume").await.1["state"], "running");
    assert_eq!(server.control(&s, "reset").await.1["state"], "idle");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_bad_parameter_is_a_400_naming_the_field() {
    let server = TestServer::start().await;
    let cases = [
        (r#"{"colour": "red"}"#, "colour"),
        (r#"{"initial_temp": "hot"}"#, "initial_temp"),
        (r#"{"initial_temp": NaN}"#, "initial_temp"),
        (r#"{"initial_temp": -1}"#, "initial_temp"),
        (r#"{"initial_temp": 0}"#, "initial_temp"),
        (r#"{"final_temp": 0, "schedule": "geometric"}"#, "final_temp"),
        (r#"{"steps_per_cycle": 0}"#, "steps_per_cycle"),
        (r#"{"num_cycles": 0}"#, "num_cycles"),
        (r#"{"steps_per_cycle": 1000000000}"#, "steps_per_cycle"),
        (r#"{"formula": "C4Xx10"}"#, "formula"),
        (
            r#"{"problem": "tsp", "tsplib": "NAME : t\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 oops 1\n3 1 1\nEOF\n"}"#,
            "tsplib",
        ),
        (r#"{"steps_per_event": 0}"#, "steps_per_event"),
        (r#"{"batch": 65}"#, "batch"),
        // A syntax error just after a complete value names that value's key.
        (r#"{"formula": "C4H10", "seed": 1 2}"#, "seed"),
        (r#"{"seed": 1, "initial_temp": 1e999}"#, "initial_temp"),
        // null is not "the default": leaving the field out is.
        (r#"{"seed": null}"#, "seed"),
        (r#"{"problem": null}"#, "problem"),
    ];
    for (body, field) in cases {
        let response = server
            .client
            .post(server.url("/api/sa/configure"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["error"]["field"], field, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], "invalid_parameter");
        assert!(answer["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let tsplib = server
        .post_json("/api/sa/configure", &json!({"problem": "tsp", "tsplib": "NAME : t\nDIMENSION : x\n"}))
        .await;
    let answer: Value = tsplib.json().await.unwrap();
    assert!(answer["error"]["message"].as_str().unwrap().contains("line 2"), "names the line: {answer}");
    let element = server.post_json("/api/sa/configure", &json!({"formula": "C4Xx10"})).await;
    let answer: Value = element.json().await.unwrap();
    assert!(answer["error"]["message"].as_str().unwrap().contains("Xx"), "names the value: {answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_413() {
    // Four times the limit: far more than the socket buffers hold, so a server that
    // answered before reading the body would reset the connection under the client's
    // write every time, not now and then.
    let server = TestServer::start().await;
    let text = "x".repeat(4 * kiln::http::body::BODY_LIMIT as usize);
    let response = server.post_json("/api/sa/configure", &json!({"problem": "tsp", "tsplib": text})).await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_session_over_the_maximum_is_429() {
    let server = TestServer::with(ServeOptions { max_sessions: 2, ..Default::default() }).await;
    server.configure(butane(5)).await;
    let s = server.configure(butane(5)).await;
    let response = server.post_json("/api/sa/configure", &butane(5)).await;
    assert_eq!(response.status(), 429);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many");
    assert_eq!(server.delete(&s).await, 200);
    server.configure(butane(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_stream_over_the_per_session_maximum_is_429() {
    let server = TestServer::with(ServeOptions { max_streams_per_session: 1, ..Default::default() }).await;
    let s = server.configure(butane(5)).await;
    let mut first = server.stream(&s).await;
    first.next_named("connected").await;
    let second = server.open_stream(&format!("/api/sa/{}/stream", s.id), None).await;
    assert_eq!(second.status(), 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_disappears_after_its_ttl() {
    let server =
        TestServer::with(ServeOptions { session_ttl: Duration::from_millis(300), ..Default::default() })
            .await;
    let s = server.configure(butane(5)).await;
    let path = format!("/api/sa/{}/status", s.id);
    assert_eq!(server.get_json(&path).await.0, 200);
    let deadline = tokio::time::Instant::now() + support::PATIENCE;
    loop {
        let (_, list) = server.get_json("/api/sa").await;
        if list["sessions"].as_array().unwrap().is_empty() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the idle session was never purged");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(server.get_json(&path).await.0, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_session_outlives_its_ttl() {
    let server =
        TestServer::with(ServeOptions { session_ttl: Duration::from_millis(200), ..Default::default() })
            .await;
    let s = server.configure(butane(5)).await;
    let mut sse = server.stream(&s).await;
    sse.next_named("connected").await;
    // Three `waiting` events take about three seconds, far beyond the TTL.
    for _ in 0..3 {
        sse.next_named("waiting").await;
    }
    assert_eq!(server.get_json(&format!("/api/sa/{}/status", s.id)).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_session_ends_its_streams_with_an_error_event() {
    let server = TestServer::start().await;
    let s = server.configure(butane(5)).await;
    let mut sse = server.stream(&s).await;
    sse.next_named("connected").await;
    assert_eq!(server.delete(&s).await, 200);
    let error = sse.next_named("error").await;
    assert_eq!(error.json()["code"], "session_ended");
    assert_eq!(sse.next().await, None);
    assert_eq!(server.get_json(&format!("/api/sa/{}/status", s.id)).await.0, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_listing_and_status_describe_the_sessions() {
    let server = TestServer::start().await;
    let (code, health) = server.get_json("/health").await;
    assert_eq!((code, health["status"].clone(), health["sessions"].clone()), (200, json!("ok"), json!(0)));
    assert!(health["uptime_s"].is_u64());
    let a = server.configure(butane(5)).await;
    let b = server.configure(berlin(1000, json!(10))).await;
    let (_, list) = server.get_json("/api/sa").await;
    let sessions = list["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    for (s, problem) in [(&a, "isomer"), (&b, "tsp")] {
        let row = sessions.iter().find(|r| r["session_id"] == s.id.as_str()).unwrap();
        assert_eq!(row["problem"], problem);
        assert_eq!(row["state"], "idle");
        assert_eq!(row["step"], 0);
        assert_eq!(row["viewers"], 0);
    }
    let (_, status) = server.get_json(&format!("/api/sa/{}/status", b.id)).await;
    assert_eq!(status["progress"]["optimal_energy"], 7542.0);
    assert_eq!(status["progress"]["total_steps"], 1000);
    let (_, streaming) = server.get_json(&format!("/api/sa/{}/streaming-status", a.id)).await;
    for key in [
        "session_id",
        "has_active_stream",
        "streaming_clients",
        "buffered_events",
        "is_complete",
        "status",
        "created_at",
    ] {
        assert!(streaming.get(key).is_some(), "streaming-status has {key}: {streaming}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn problems_lists_both_kinds_with_defaults_presets_and_instances() {
    let server = TestServer::start().await;
    let (code, body) = server.get_json("/api/problems").await;
    assert_eq!(code, 200);
    let problems = body["problems"].as_array().unwrap();
    let isomer = problems.iter().find(|p| p["name"] == "isomer").unwrap();
    let param = |p: &Value, name: &str| {
        p["parameters"].as_array().unwrap().iter().find(|x| x["name"] == name).cloned().unwrap()
    };
    // The classroom schedule (issue 12); Faulon's original one is a preset away.
    assert_eq!(param(isomer, "schedule")["default"], "geometric");
    assert_eq!(param(isomer, "initial_temp")["default"], 20.0);
    assert_eq!(param(isomer, "final_temp")["default"], 0.5);
    assert_eq!(param(isomer, "steps_per_cycle")["default"], 1000);
    assert_eq!(param(isomer, "num_cycles")["default"], 4);
    assert_eq!(param(isomer, "formula")["default"], "C8H18");
    let presets = isomer["presets"].as_array().unwrap();
    assert_eq!(presets.len(), 9);
    let faulon = presets.iter().find(|p| p["name"] == "faulon-original").unwrap();
    assert_eq!(faulon["params"]["schedule"], "faulon");
    assert_eq!(faulon["params"]["initial_temp"], 100.0);
    assert_eq!(faulon["params"]["steps_per_cycle"], 500);
    let tsp = problems.iter().find(|p| p["name"] == "tsp").unwrap();
    assert_eq!(param(tsp, "schedule")["default"], "auto");
    let berlin = tsp["instances"].as_array().unwrap().iter().find(|i| i["name"] == "berlin52").unwrap();
    assert_eq!(berlin["optimal_length"], 7542);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_record_and_the_watch_qr_code_are_served() {
    let server = TestServer::start().await;
    let s = server.configure(butane(30)).await;
    server.control(&s, "step?n=20").await;
    let (code, record) = server.get_json(&format!("/api/sa/{}/record", s.id)).await;
    assert_eq!(code, 200);
    assert_eq!(record["format"], 2, "a durable format-2 record");
    assert_eq!(record["problem"]["problem"], "isomer");
    assert_eq!(record["checkpoints"].as_array().unwrap().last().unwrap()["step"], 20);
    let qr = server.client.get(server.url(&format!("/api/sa/{}/watch-qr.svg", s.id))).send().await.unwrap();
    assert_eq!(qr.status(), 200);
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.unwrap().contains("<svg"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_served_at_root_watch_and_static_paths() {
    let server = TestServer::start().await;
    for path in ["/", "/watch/67e55044-10b1-426f-9247-bb680e5fe0c8"] {
        let response = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    }
    let css = server.client.get(server.url("/static/app.css")).send().await.unwrap();
    assert_eq!(css.status(), 200);
    let missing = server.client.get(server.url("/static/nope.js")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let unknown = server.client.get(server.url("/api/nothing")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_the_configured_origin() {
    let server = TestServer::with(ServeOptions {
        allow_origin: Some("http://localhost:3000".into()),
        ..Default::default()
    })
    .await;
    let response = server
        .client
        .get(server.url("/health"))
        .header("Origin", "http://localhost:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "http://localhost:3000");
}
