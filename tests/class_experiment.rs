//! The class experiment's API (issue 24, docs/protocol.md "Class experiment"): the
//! room's teacher starts it with the room token; each phone that joins gets one run
//! per setting, one at a time, with its own seed, as a started live session; the same
//! phone token gets the same run again; Finish gives the experiment's summary, whose
//! records equal what the headless runner (`kiln sweep`'s) finds for the same
//! parameters and seeds; refusals name the field, and a finished class hands no run.

mod support;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use kiln::kinds::Registry;
use kiln::sweep::{KindRunner, TaskRunner};
use serde_json::{Value, json};
use support::TestServer;

const STEPS: u64 = 300;
const SLOW: u64 = 900;

fn settings() -> Value {
    json!({"problem": "isomer", "formula": "C8H18", "steps_per_cycle": STEPS, "num_cycles": 1,
           "seed": 11, "steps_per_event": 100, "max_events_per_sec": 60})
}

/// POST `path` with `body` and an optional bearer token; (status, body).
async fn post(server: &TestServer, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request = server.client.post(server.url(path)).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A room: (code, room token).
async fn room(server: &TestServer) -> (String, String) {
    let (status, room) = post(server, "/api/rooms", None, &json!({})).await;
    assert_eq!(status, 201, "{room}");
    (room["code"].as_str().unwrap().to_string(), room["room_token"].as_str().unwrap().to_string())
}

/// Watch a phone's run to its end, as the phone's page does (its stream drives it).
async fn watch_to_end(server: &TestServer, session_id: &str) {
    let mut sse = server.stream_with(&format!("/api/sa/{session_id}/stream"), None).await;
    while let Some(event) = sse.next().await {
        if event.json()["is_complete"] == true || event.json()["progress"]["is_complete"] == true {
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_phone_runs_every_setting_once_with_its_own_seed_and_the_summary_is_the_runners() {
    let server = TestServer::start().await;
    let (code, token) = room(&server).await;
    let body = json!({"params": settings(), "compare": {"name": "steps_per_cycle", "value": SLOW}});
    let (status, class) = post(&server, &format!("/api/rooms/{code}/class"), Some(&token), &body).await;
    assert_eq!(status, 201, "{class}");
    assert_eq!(class["state"], "running");
    assert_eq!(class["settings"].as_array().unwrap().len(), 2);
    assert_eq!(class["settings"][1]["params"], json!({"steps_per_cycle": SLOW}));
    let experiment = class["experiment_id"].as_str().unwrap().to_string();

    let join = format!("/api/rooms/{code}/class/join");
    let mut phones = Vec::new();
    for name in ["Ada", "", "Grace"] {
        let (status, joined) = post(&server, &join, None, &json!({"name": name})).await;
        assert_eq!(status, 200, "{joined}");
        phones.push(joined);
    }
    let seeds: Vec<u64> = phones.iter().map(|p| p["task"]["seed"].as_u64().unwrap()).collect();
    assert_eq!(seeds, vec![11, 12, 13], "phone k runs seed start + k");
    assert_eq!(phones[1]["name"], "phone 2", "no name typed: the phone's number");
    let groups: Vec<u64> = phones.iter().map(|p| p["task"]["group"].as_u64().unwrap()).collect();
    assert_eq!(groups, vec![0, 1, 0], "phones start on alternate settings");

    // The same phone asks again: the same run (one run at a time per phone).
    let again = json!({"phone_token": phones[0]["phone_token"]});
    let (_, same) = post(&server, &join, None, &again).await;
    assert_eq!(same["task"]["session_id"], phones[0]["task"]["session_id"]);
    let (status, session) = server
        .get_json(&format!("/api/sa/{}/status", phones[0]["task"]["session_id"].as_str().unwrap()))
        .await;
    assert_eq!(status, 200);
    assert_eq!(session["state"], "running", "a phone's run is started for it: {session}");

    for phone in &phones {
        let token = json!({"phone_token": phone["phone_token"]});
        watch_to_end(&server, phone["task"]["session_id"].as_str().unwrap()).await;
        // The ticker records the completed run; the next join hands the other setting.
        let next = loop {
            let (status, next) = post(&server, &join, None, &token).await;
            assert_eq!(status, 200, "{next}");
            if next["task"]["task_id"] != phone["task"]["task_id"] {
                break next;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert_eq!(next["task"]["seed"], phone["task"]["seed"], "the same seed under the other setting");
        assert_ne!(next["task"]["group"], phone["task"]["group"]);
        watch_to_end(&server, next["task"]["session_id"].as_str().unwrap()).await;
        let done = loop {
            let (_, done) = post(&server, &join, None, &token).await;
            if done["task"].is_null() {
                break done;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert_eq!(done["phone"], phone["phone"]);
    }

    let (status, finished) =
        post(&server, &format!("/api/rooms/{code}/class/finish"), Some(&token), &json!({})).await;
    assert_eq!(status, 200, "{finished}");
    assert_eq!(finished["state"], "complete");
    let (_, experiment) = server.get_json(&format!("/api/experiments/{experiment}")).await;
    assert_eq!(experiment["summary"]["completed_count"], 6, "{experiment}");
    let reached: u64 =
        finished["settings"].as_array().unwrap().iter().map(|s| s["reached"].as_u64().unwrap()).sum();
    let summarised: u64 = experiment["summary"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["reached_count"].as_u64().unwrap())
        .sum();
    assert_eq!(reached, summarised, "the ensemble's successes are the summary's");

    // Oracle: the headless runner (kiln sweep's) on the same parameters and seeds.
    let runner = KindRunner::new(Arc::new(Registry::builtin()));
    let cancel = AtomicBool::new(false);
    for task in experiment["tasks"].as_array().unwrap() {
        // The experiment's own plan: its base, with the task's value of the varied parameter.
        let mut params = experiment["plan"]["base"].as_object().unwrap().clone();
        let group = task["group"].as_u64().unwrap() as usize;
        params.insert("steps_per_cycle".into(), experiment["plan"]["vary"]["steps_per_cycle"][group].clone());
        assert_eq!(params["steps_per_cycle"], json!([STEPS, SLOW][group]));
        let result = runner.run(&params, task["seed"].as_u64().unwrap(), &cancel).unwrap();
        assert_eq!(task["best_energy"].as_f64(), Some(result.best_energy), "{task}");
        assert_eq!(task["steps"].as_u64(), Some(result.steps), "{task}");
        assert_eq!(task["optimum_step"].as_u64(), result.optimum_step, "{task}");
    }

    let (status, over) = post(&server, &join, None, &json!({})).await;
    assert_eq!((status, over["error"]["code"].as_str()), (409, Some("class_experiment_over")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_name_the_field_and_only_the_teacher_starts_or_finishes() {
    let server = TestServer::start().await;
    let (code, token) = room(&server).await;
    let class = format!("/api/rooms/{code}/class");
    let body = json!({"params": settings()});

    let (status, _) = post(&server, &class, None, &body).await;
    assert_eq!(status, 401, "no room token");
    let (status, _) = post(&server, &class, Some("not-the-token"), &body).await;
    assert_eq!(status, 403, "a wrong room token");
    let (status, none) = post(&server, &format!("{class}/join"), None, &json!({})).await;
    assert_eq!((status, none["error"]["code"].as_str()), (404, Some("no_class_experiment")));
    let (status, view) = server.get_json(&class).await;
    assert_eq!((status, view["state"].as_str()), (200, Some("none")));

    for (bad, field) in [
        (json!({"params": settings(), "colour": 1}), "colour"),
        (
            json!({"params": settings(), "compare": {"name": "steps_per_cycle", "value": STEPS}}),
            "compare.value",
        ),
        (json!({"params": settings(), "compare": {"name": "seed", "value": 3}}), "compare.name"),
        (json!({"params": {"formula": "C8H18", "steps_per_cycle": -4}}), "steps_per_cycle"),
    ] {
        let (status, refused) = post(&server, &class, Some(&token), &bad).await;
        assert_eq!(status, 400, "{bad} -> {refused}");
        assert_eq!(refused["error"]["field"], field, "{refused}");
    }

    let (status, _) = post(&server, &class, Some(&token), &body).await;
    assert_eq!(status, 201);
    let long = "x".repeat(25);
    let (status, refused) = post(&server, &format!("{class}/join"), None, &json!({"name": long})).await;
    assert_eq!((status, refused["error"]["field"].as_str()), (400, Some("name")), "{refused}");
    let (status, _) = post(&server, &format!("{class}/finish"), None, &json!({})).await;
    assert_eq!(status, 401, "only the teacher finishes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_class_stream_follows_the_room_from_no_experiment_to_a_running_one() {
    let server = TestServer::start().await;
    let (code, token) = room(&server).await;
    let mut sse = server.stream_with(&format!("/api/rooms/{code}/class/stream"), None).await;
    let first = sse.next_named("class").await.json();
    assert_eq!(first["state"], "none");
    let (status, _) =
        post(&server, &format!("/api/rooms/{code}/class"), Some(&token), &json!({"params": settings()}))
            .await;
    assert_eq!(status, 201);
    let running = sse.next_named("class").await.json();
    assert_eq!(running["state"], "running");
    let (_, joined) =
        post(&server, &format!("/api/rooms/{code}/class/join"), None, &json!({"name": "Ada"})).await;
    loop {
        let event = sse.next_named("class").await.json();
        if let Some(task) = event["tasks"].as_array().and_then(|t| t.first()) {
            assert_eq!(task["name"], "Ada");
            assert_eq!(task["session_id"], joined["task"]["session_id"]);
            break;
        }
    }
}
