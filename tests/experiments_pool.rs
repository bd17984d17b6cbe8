//! Experiments under the server's limits and pool: concurrent creates never pass
//! the running limit, a task record needs the experiment's token, and one whose
//! client hangs up, or whose experiment is deleted, stops its work.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{PATIENCE, TestServer};

/// The most experiments a server runs at once (`live::experiments::MAX_RUNNING`).
const MAX_RUNNING: usize = 4;

/// One task of 10^9 tsp steps: running for far longer than any test here.
fn long_plan() -> Value {
    json!({"base": {"problem": "tsp", "instance": "berlin52", "steps_per_cycle": 100_000_000,
                    "num_cycles": 10}, "seeds": 1})
}

async fn create(server: &TestServer) -> (u16, Value) {
    let response = server.post_json("/api/experiments", &long_plan()).await;
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn delete(server: &TestServer, created: &Value) {
    let id = created["experiment_id"].as_str().expect("an id");
    let token = created["control_token"].as_str().expect("a token");
    let response = server
        .client
        .delete(server.url(&format!("/api/experiments/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_creates_cannot_exceed_the_running_limit() {
    let server = TestServer::start().await;
    for round in 0..3 {
        let mut running = Vec::new();
        for _ in 0..MAX_RUNNING - 1 {
            let (status, body) = create(&server).await;
            assert_eq!(status, 201, "{body}");
            running.push(body);
        }
        let (a, b) = tokio::join!(create(&server), create(&server));
        let mut statuses = [a.0, b.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 429], "round {round}: one takes the last place, the other is refused");
        let (_, list) = server.get_json("/api/experiments").await;
        let count =
            list["experiments"].as_array().unwrap().iter().filter(|e| e["state"] == "running").count();
        assert_eq!(count, MAX_RUNNING, "{list}");
        running.extend([a.1, b.1].into_iter().filter(|b| b["experiment_id"].is_string()));
        for created in &running {
            delete(&server, created).await;
        }
    }
}

/// CPU seconds (user + system) of this process's threads, except the experiment
/// pool's (`kiln-sweep-*`): the request work of the server under test.
fn request_cpu_seconds() -> f64 {
    let ticks = 100.0; // USER_HZ on Linux
    let mut total = 0.0;
    for task in std::fs::read_dir("/proc/self/task").expect("/proc/self/task").flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else { continue };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        if stat[open + 1..close].starts_with("kiln-sweep") {
            continue;
        }
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        // After the name: state is field 3 of stat, utime 14 and stime 15.
        let utime: f64 = fields[11].parse().unwrap_or(0.0);
        let stime: f64 = fields[12].parse().unwrap_or(0.0);
        total += (utime + stime) / ticks;
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_record_whose_client_hangs_up_stops_within_one_chunk() {
    let server = TestServer::start().await;
    let (status, created) = create(&server).await;
    assert_eq!(status, 201, "{created}");
    let id = created["experiment_id"].as_str().unwrap();
    let url = server.url(&format!("/api/experiments/{id}/tasks/0/record"));
    let token = created["control_token"].as_str().unwrap().to_owned();
    let before = request_cpu_seconds();
    let client = server.client.clone();
    let request =
        tokio::spawn(async move { client.get(url).bearer_auth(token).send().await.map(|r| r.status()) });
    // The record re-runs 10^9 steps: await a good part of a CPU-second of it.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while request_cpu_seconds() - before < 0.5 {
        assert!(!request.is_finished(), "the record answered before it was hung up on");
        assert!(tokio::time::Instant::now() < deadline, "the record never ran");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    request.abort();
    let hung_up = request_cpu_seconds();
    // Await a quiet stretch: 300 ms in which request threads use under 30 ms.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let mut last = hung_up;
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = request_cpu_seconds();
        if now - last < 0.03 {
            break;
        }
        last = now;
        assert!(
            tokio::time::Instant::now() < deadline,
            "the record kept running after the client hung up: {:.2} CPU-s since",
            now - hung_up
        );
    }
    eprintln!(
        "record: {:.2} CPU-s before the hang-up, {:.2} CPU-s after it",
        hung_up - before,
        last - hung_up
    );
    delete(&server, &created).await;
}

/// The pool's counters of `/health`: (running, waiting).
async fn work_load(server: &TestServer) -> (u64, u64) {
    let health: Value = server.client.get(server.url("/health")).send().await.unwrap().json().await.unwrap();
    (health["work"]["running"].as_u64().unwrap(), health["work"]["waiting"].as_u64().unwrap())
}

/// Awaits `/health` saying the pool runs `running` jobs (bounded by [`PATIENCE`]).
async fn await_running(server: &TestServer, running: u64, what: &str) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while work_load(server).await.0 != running {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: the pool still runs {:?}",
            work_load(server).await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_record_needs_the_token_and_runs_nothing_without_it() {
    let server = TestServer::start().await;
    let (status, created) = create(&server).await;
    assert_eq!(status, 201, "{created}");
    let id = created["experiment_id"].as_str().unwrap();
    let url = server.url(&format!("/api/experiments/{id}/tasks/0/record"));
    let anonymous = server.client.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let wrong = server.client.get(&url).bearer_auth("not-the-token").send().await.unwrap();
    assert_eq!(wrong.status(), 403);
    assert_eq!(work_load(&server).await, (0, 0), "a refused record starts no work");
    delete(&server, &created).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_record_stops_when_its_experiment_is_deleted() {
    let server = TestServer::start().await;
    let (status, created) = create(&server).await;
    assert_eq!(status, 201, "{created}");
    let id = created["experiment_id"].as_str().unwrap();
    let url = server.url(&format!("/api/experiments/{id}/tasks/0/record"));
    let token = created["control_token"].as_str().unwrap().to_owned();
    let client = server.client.clone();
    let request =
        tokio::spawn(async move { client.get(url).bearer_auth(token).send().await.map(|r| r.status()) });
    await_running(&server, 1, "the record started").await;
    delete(&server, &created).await;
    await_running(&server, 0, "the record stopped after the delete").await;
    // The client is still there: it hears the experiment is gone, not a record.
    let answer = tokio::time::timeout(PATIENCE, request).await.expect("answered").unwrap().unwrap();
    assert_eq!(answer.as_u16(), 404);
}
