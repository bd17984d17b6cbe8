//! Sessions survive a crash (issue 9, DESIGN.md section 8): the release binary is
//! killed with SIGKILL mid-run and started again on the same `--data-dir` and
//! port; a stream that resumes with `Last-Event-ID` goes on with the same session,
//! no step missing and none repeated, and the run ends with the numbers of an
//! uninterrupted `kiln run --json` of the same config (an independent run of the
//! same pure function). The room that showed the session shows it again, and its
//! owner's token still works. An experiment killed mid-way keeps its completed tasks,
//! reruns the rest, and ends with the summary of an uninterrupted run (timing aside).
//! A corrupt store file is reported and the server starts.
//!
//! Every wait is for an event or a line, bounded by a generous timeout; no speed
//! is asserted.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::Sse;

/// Longest a server may take to print its address.
const START_PATIENCE: Duration = Duration::from_secs(60);

/// A fresh scratch directory under the target dir.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A `kiln serve` process, its port, and its stderr lines as they come.
struct Served {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Served {
    /// `kiln serve --addr ADDR --data-dir DIR`, once it has printed where it listens.
    fn start(addr: &str, data_dir: &Path) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiln"))
            .args(["serve", "--addr", addr, "--data-dir"])
            .arg(data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kiln serve starts");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let lines = stderr.clone();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                    let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let _ = tx.send(port.parse::<u16>().expect("a port number"));
                }
            }
        });
        let port = rx.recv_timeout(START_PATIENCE).unwrap_or_else(|_| {
            panic!("kiln serve printed no address; stderr: {:?}", stderr.lock().unwrap())
        });
        Served { child, port, stderr }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Waits until a stderr line contains `text`; returns it.
    fn stderr_line(&mut self, text: &str) -> String {
        self.await_condition(&format!("no stderr line with {text:?}"), |served| {
            served.stderr.lock().unwrap().iter().find(|l| l.contains(text)).cloned()
        })
    }

    /// SIGTERM, as a service manager or Ctrl-C stops it; waits (bounded) for the exit.
    fn terminate(mut self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
        assert!(sent.success(), "SIGTERM sent");
        let failure = format!("kiln serve did not exit within {START_PATIENCE:?} of SIGTERM");
        self.await_condition(&failure, |served| served.child.try_wait().expect("waitable"));
    }

    /// Checks `ready` every 20 ms until it gives a value; fails with `failure` and the
    /// server's stderr after [`START_PATIENCE`].
    fn await_condition<T>(&mut self, failure: &str, mut ready: impl FnMut(&mut Self) -> Option<T>) -> T {
        let deadline = Instant::now() + START_PATIENCE;
        loop {
            if let Some(value) = ready(self) {
                return value;
            }
            assert!(Instant::now() < deadline, "{failure}; stderr: {:?}", self.stderr.lock().unwrap());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL, as `kill -9` does: nothing is flushed or closed.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap()
}

async fn stream(client: &reqwest::Client, url: String, last_event_id: Option<u64>) -> Sse {
    let mut request = client.get(url).header("Accept", "text/event-stream");
    if let Some(id) = last_event_id {
        request = request.header("Last-Event-ID", id.to_string());
    }
    let response = request.send().await.expect("stream request");
    assert_eq!(response.status(), 200);
    Sse::new(response)
}

/// A new room on `served`: (code, room token).
async fn new_room(client: &reqwest::Client, served: &Served) -> (String, String) {
    let room: Value = client.post(served.url("/api/rooms")).send().await.unwrap().json().await.unwrap();
    (room["code"].as_str().unwrap().to_string(), room["room_token"].as_str().unwrap().to_string())
}

/// GET `url` as JSON.
async fn get_json(client: &reqwest::Client, url: String) -> Value {
    client.get(url).send().await.unwrap().json().await.unwrap()
}

/// POST a room's session with the owner's token; returns the status.
async fn show_in_room(client: &reqwest::Client, url: String, token: &str, session_id: &str) -> u16 {
    let response = client.post(url).bearer_auth(token).json(&json!({ "session_id": session_id })).send();
    response.await.unwrap().status().as_u16()
}

/// The config a session reports as `kiln run` flags.
fn run_args(config: &Value) -> Vec<String> {
    let mut args: Vec<String> = ["run", "--formula", "C8H18", "--json"].map(String::from).to_vec();
    for (flag, key) in [
        ("seed", "seed"),
        ("schedule", "schedule"),
        ("initial_temp", "initial_temp"),
        ("final_temp", "final_temp"),
        ("cooling_schedule_k", "k"),
        ("steps_per_cycle", "steps_per_cycle"),
        ("num_cycles", "cycles"),
    ] {
        let value = &config[key];
        if !value.is_null() {
            let text = value.as_str().map_or_else(|| value.to_string(), str::to_string);
            args.extend(["--param".to_string(), format!("{flag}={text}")]);
        }
    }
    args
}

/// Progress and complete events of a stream until `done` says stop: (id, step, data).
async fn read_until(sse: &mut Sse, mut done: impl FnMut(&Value, &str) -> bool) -> Vec<(u64, u64, Value)> {
    let mut seen = Vec::new();
    while let Some(event) = sse.next().await {
        if event.name != "progress" && event.name != "complete" {
            continue;
        }
        let data = event.json();
        seen.push((event.seq(), event.step(), data.clone()));
        if done(&data, &event.name) {
            break;
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_at_step_500_goes_on_after_a_restart_and_ends_as_an_uninterrupted_run() {
    let dir = scratch("store_restart_kill9");
    let first = Served::start("127.0.0.1:0", &dir);
    let port = first.port;
    let client = client();
    let params = json!({
        "formula": "C8H18",
        "steps_per_cycle": 250,
        "num_cycles": 4,
        "seed": 7,
        "steps_per_event": 1,
        "max_events_per_sec": 60,
    });
    let response = client.post(first.url("/api/sa/configure")).json(&params).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let id = created["session_id"].as_str().unwrap().to_string();
    let token = created["control_token"].as_str().unwrap().to_string();
    let (code, room_token) = new_room(&client, &first).await;
    assert_eq!(
        show_in_room(&client, first.url(&format!("/api/rooms/{code}/session")), &room_token, &id).await,
        200
    );
    let stream_path = format!("/api/sa/{id}/stream");
    let mut sse = stream(&client, first.url(&stream_path), None).await;
    let started =
        client.post(first.url(&format!("/api/sa/{id}/start"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(started.status(), 200);
    let before = read_until(&mut sse, |data, _| data["step"].as_u64() >= Some(500)).await;
    first.kill();
    drop(sse);

    let mut second = Served::start(&format!("127.0.0.1:{port}"), &dir);
    assert_eq!(second.port, port);
    let restored = second.stderr_line(&format!("session {} restored", &id[..8]));
    let room: Value =
        client.get(second.url(&format!("/api/rooms/{code}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(room["session_id"], json!(id), "the room shows the same session after the restart");
    let again =
        show_in_room(&client, second.url(&format!("/api/rooms/{code}/session")), &room_token, &id).await;
    assert_eq!(again, 200, "the room's owner token still works");
    let (last_id, last_step, _) = before.last().cloned().unwrap();
    let trace: Value =
        client.get(second.url(&format!("/api/sa/{id}/trace"))).send().await.unwrap().json().await.unwrap();
    let traced: Vec<u64> =
        trace["points"].as_array().unwrap().iter().map(|p| p["step"].as_u64().unwrap()).collect();
    assert_eq!(traced.first(), Some(&0), "the trace is rebuilt from step 0 ({restored})");
    assert!(traced.windows(2).all(|w| w[1] == w[0] + 1), "one point per step (steps_per_event 1)");
    let mut sse = stream(&client, second.url(&stream_path), Some(last_id)).await;
    let connected = sse.next_named("connected").await.json();
    assert_eq!(connected["session_id"], json!(id), "the same session after the restart");
    let after = read_until(&mut sse, |_, name| name == "complete").await;

    // Ids and steps go on from where the page was: nothing missing, nothing twice.
    let all: Vec<(u64, u64)> = before.iter().chain(&after).map(|(i, s, _)| (*i, *s)).collect();
    assert!(!after.is_empty(), "events after the restart ({restored})");
    assert_eq!(after[0].0, last_id + 1, "the first event after the restart follows the last one seen");
    assert_eq!(after[0].1, last_step + 1, "and its step follows the last step seen ({restored})");
    for pair in all.windows(2) {
        assert_eq!(pair[1].0, pair[0].0 + 1, "event ids are contiguous: {pair:?}");
    }
    let steps: Vec<u64> = all.iter().map(|(_, s)| *s).collect();
    let mut expected: Vec<u64> = (1..=1000).collect();
    expected.push(1000); // the complete event repeats the last step
    assert_eq!(steps, expected, "every step once, from 1 to 1000 ({restored})");

    // The final numbers equal an uninterrupted run of the same config.
    assert_same_as_kiln_run(&created["config"], &after.last().unwrap().2);
}

/// The final numbers of a session equal those of `kiln run --json` of its config.
fn assert_same_as_kiln_run(config: &Value, last: &Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_kiln")).args(run_args(config)).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let uninterrupted: Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "step",
        "best_energy",
        "current_energy",
        "best_step",
        "accepted_moves",
        "rejected_moves",
        "invalid_moves",
        "improvements",
        "best_smiles",
        "current_smiles",
    ] {
        assert_eq!(last[key], uninterrupted[key], "{key}: session after a restart vs kiln run");
    }
}

/// A room's class experiment is found again after a restart: the room links to the
/// same experiment, shown ended (its phones are gone) with its page's link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_keeps_its_class_experiment_across_a_restart() {
    let client = client();
    let dir = scratch("class_restart");
    let first = Served::start("127.0.0.1:0", &dir);
    let port = first.port;
    let (code, room_token) = new_room(&client, &first).await;
    let params = json!({"problem": "isomer", "formula": "C8H18", "steps_per_cycle": 300, "num_cycles": 1});
    let created = client
        .post(first.url(&format!("/api/rooms/{code}/class")))
        .bearer_auth(&room_token)
        .json(&json!({"params": params}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let class: Value = created.json().await.unwrap();
    let experiment = class["experiment_id"].as_str().expect("an experiment id").to_string();
    first.terminate();

    let mut second = Served::start(&format!("127.0.0.1:{port}"), &dir);
    second.stderr_line(&format!("room {code}: class experiment {experiment} restored"));
    let class = get_json(&client, second.url(&format!("/api/rooms/{code}/class"))).await;
    assert_eq!(class["experiment_id"], json!(experiment), "the same experiment: {class}");
    assert_eq!(class["experiment_url"], json!(format!("/experiments/{experiment}")));
    assert_eq!(class["state"], "complete", "ended, its phones gone: {class}");
    second.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_at_max_pacing_killed_mid_way_goes_on_with_no_event_missing_or_repeated() {
    let dir = scratch("store_restart_max");
    let first = Served::start("127.0.0.1:0", &dir);
    let client = client();
    let params = json!({
        "formula": "C8H18", "steps_per_cycle": 50000, "num_cycles": 4, "seed": 3,
        "steps_per_event": "max", "max_events_per_sec": 60,
    });
    let created: Value =
        client.post(first.url("/api/sa/configure")).json(&params).send().await.unwrap().json().await.unwrap();
    let id = created["session_id"].as_str().unwrap().to_string();
    let token = created["control_token"].as_str().unwrap();
    let stream_path = format!("/api/sa/{id}/stream");
    let mut sse = stream(&client, first.url(&stream_path), None).await;
    let started = client.post(first.url(&format!("/api/sa/{id}/start"))).bearer_auth(token).send().await;
    assert_eq!(started.unwrap().status(), 200);
    let before = read_until(&mut sse, |data, _| data["step"].as_u64() >= Some(60_000)).await;
    first.kill();
    drop(sse);

    // "max" frames are time-based: each is on disk before it is sent, so the store is
    // never behind what a client saw.
    let mut second = Served::start("127.0.0.1:0", &dir);
    let restored = second.stderr_line(&format!("session {} restored", &id[..8]));
    let (last_id, last_step, _) = before.last().cloned().unwrap();
    let mut sse = stream(&client, second.url(&stream_path), Some(last_id)).await;
    let after = read_until(&mut sse, |_, name| name == "complete").await;
    let all: Vec<(u64, u64)> = before.iter().chain(&after).map(|(i, s, _)| (*i, *s)).collect();
    assert_eq!(after.first().map(|e| e.0), Some(last_id + 1), "the next id after the last seen ({restored})");
    assert!(after[0].1 > last_step, "the run goes on from step {last_step} ({restored})");
    for pair in all.windows(2) {
        assert_eq!(pair[1].0, pair[0].0 + 1, "event ids are contiguous: {pair:?}");
        assert!(pair[1].1 >= pair[0].1, "steps never go back: {pair:?}");
    }
    assert_same_as_kiln_run(&created["config"], &after.last().unwrap().2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_store_file_is_reported_and_the_server_starts() {
    let dir = scratch("store_restart_corrupt");
    let file = dir.join("kiln.sqlite3");
    std::fs::write(&file, b"this is not a SQLite file, it is garbage bytes \x00\x01\x02".repeat(100))
        .unwrap();
    let mut served = Served::start("127.0.0.1:0", &dir);
    let line = served.stderr_line("corrupt");
    assert!(line.contains(&file.display().to_string()), "the line names the file: {line}");
    let response = client().get(served.url("/api/sa")).send().await.unwrap();
    assert_eq!(response.status(), 200, "the server answers");
}

/// Steps of the long session below: a live session's maximum.
const LONG: u64 = 100_000_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_replay_delays_neither_the_server_nor_other_sessions_nor_a_stop() {
    let dir = scratch("store_restart_long_replay");
    let client = client();
    // A stored session of 10^8 steps of C30H62, written by a graceful stop...
    let first = Served::start("127.0.0.1:0", &dir);
    let params = json!({ "formula": "C30H62", "steps_per_cycle": LONG, "num_cycles": 1, "seed": 3 });
    let response = client.post(first.url("/api/sa/configure")).json(&params).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let id = created["session_id"].as_str().unwrap().to_string();
    first.terminate();
    // ...that claims to have reached its last step: rebuilding it means replaying
    // 10^8 - 1 steps (minutes; the digest would then refuse it).
    let store = kiln::store::Store::open(&dir).unwrap();
    let mut record = store.list_sessions().unwrap().into_iter().find(|r| r.id.to_string() == id).unwrap();
    record.step = LONG - 1;
    record.state = kiln::store::RunState::Paused;
    store.upsert_session(&record).unwrap();
    drop(store);

    let second = Served::start("127.0.0.1:0", &dir);
    // The server answers during the replay: the session is "being rebuilt", a 503
    // with Retry-After that the page retries (not a 404, which would mean gone).
    let response = client.get(second.url(&format!("/api/sa/{id}/status"))).send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "restoring", "{body}");
    // Another session is created, run and finished meanwhile.
    let small = json!({ "formula": "C6H14", "steps_per_cycle": 200, "num_cycles": 1, "seed": 1,
                        "steps_per_event": 50, "max_events_per_sec": 60 });
    let created: Value =
        client.post(second.url("/api/sa/configure")).json(&small).send().await.unwrap().json().await.unwrap();
    let other = created["session_id"].as_str().unwrap().to_string();
    let token = created["control_token"].as_str().unwrap().to_string();
    let mut sse = stream(&client, second.url(&format!("/api/sa/{other}/stream")), None).await;
    let started =
        client.post(second.url(&format!("/api/sa/{other}/start"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(started.status(), 200);
    let seen = read_until(&mut sse, |_, name| name == "complete").await;
    assert_eq!(seen.last().unwrap().1, 200, "the other session ran to its end");
    let again = client.get(second.url(&format!("/api/sa/{id}/status"))).send().await.unwrap();
    assert_eq!(again.status(), 503, "the long replay is still going");
    // A stop during the replay ends it at once (terminate waits a bounded time), and
    // the record is kept for the next start, not refused.
    second.terminate();
    let store = kiln::store::Store::open(&dir).unwrap();
    let kept = store.list_sessions().unwrap().into_iter().find(|r| r.id.to_string() == id);
    assert_eq!(kept.map(|r| r.step), Some(LONG - 1), "the record survives the interrupted replay");
}

/// The summary without its timing fields (the only ones that differ between runs).
fn untimed(summary: &Value) -> Value {
    let mut summary = summary.clone();
    for key in ["total_execution_time_ms", "task_time_ms", "speedup", "started_at", "finished_at"] {
        summary.as_object_mut().expect("a summary object").remove(key);
    }
    summary
}

/// The experiment's JSON fallback: waits for it to complete, then its state.
async fn finished_experiment(client: &reqwest::Client, served: &Served, id: &str) -> Value {
    let url = served.url(&format!("/api/experiments/{id}/stream"));
    let state: Value = client.get(url).send().await.unwrap().json().await.unwrap();
    assert_eq!(state["is_complete"], true, "{state}");
    state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_experiment_killed_mid_way_keeps_its_completed_tasks_and_ends_as_an_uninterrupted_one() {
    let dir = scratch("store_restart_experiment");
    let first = Served::start("127.0.0.1:0", &dir);
    let client = client();
    let plan = json!({
        "base": {"problem": "isomer", "formula": "C8H18", "steps_per_cycle": 10000, "num_cycles": 4},
        "vary": {"schedule": ["faulon", "geometric"]},
        "seeds": 4,
    });
    let created: Value =
        client.post(first.url("/api/experiments")).json(&plan).send().await.unwrap().json().await.unwrap();
    let id = created["experiment_id"].as_str().expect("an experiment id").to_string();
    let mut sse = stream(&client, first.url(&format!("/api/experiments/{id}/stream")), None).await;
    let mut completed = 0;
    while completed < 2 {
        let event = sse.next().await.expect("the experiment's events");
        completed += usize::from(event.name == "task_complete");
        assert_ne!(event.name, "execution_complete", "the experiment ended before the kill");
    }
    first.kill();
    drop(sse);

    let mut second = Served::start("127.0.0.1:0", &dir);
    let line = second.stderr_line(&format!("experiment {id} restored"));
    let kept: usize = line.split(" with ").nth(1).and_then(|t| t.split(' ').next()).unwrap().parse().unwrap();
    assert!((2..8).contains(&kept), "the completed tasks are kept, not all: {line}");
    let resumed = finished_experiment(&client, &second, &id).await;
    assert_eq!(resumed["completed_tasks"], 8);

    let again: Value =
        client.post(second.url("/api/experiments")).json(&plan).send().await.unwrap().json().await.unwrap();
    let uninterrupted = finished_experiment(&client, &second, again["experiment_id"].as_str().unwrap()).await;
    assert_eq!(untimed(&resumed["summary"]), untimed(&uninterrupted["summary"]));
}

/// The parameter table is the gate for what the store gives back as for a request:
/// a session row and an experiment plan edited past a bound are refused at restart,
/// naming the field, and not rebuilt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_session_or_experiment_edited_past_a_bound_is_refused_naming_the_field() {
    let dir = scratch("store_restart_out_of_range");
    let first = Served::start("127.0.0.1:0", &dir);
    let client = client();
    let session: Value = client
        .post(first.url("/api/sa/configure"))
        .json(&json!({"formula": "C6H14", "steps_per_cycle": 1000}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session_id = session["session_id"].as_str().expect("a session").to_string();
    let plan =
        json!({"base": {"problem": "isomer", "formula": "C6H14", "steps_per_cycle": 1000}, "seeds": 2});
    let experiment: Value =
        client.post(first.url("/api/experiments")).json(&plan).send().await.unwrap().json().await.unwrap();
    let experiment_id = experiment["experiment_id"].as_str().expect("an experiment").to_string();
    first.terminate();

    let store = kiln::store::Store::open(&dir).expect("the store opens");
    for mut record in store.list_sessions().unwrap() {
        let mut spec: Value = serde_json::from_str(&record.spec).unwrap();
        spec["config"]["initial_temp"] = json!(1e308);
        record.spec = spec.to_string();
        store.upsert_session(&record).unwrap();
    }
    for mut record in store.list_experiments().unwrap() {
        let mut plan: Value = serde_json::from_str(&record.plan).unwrap();
        plan["base"]["initial_temp"] = json!(1e308);
        record.plan = plan.to_string();
        store.upsert_experiment(&record).unwrap();
    }
    drop(store);

    let mut second = Served::start("127.0.0.1:0", &dir);
    let line = second.stderr_line(&format!("session {session_id} not restored"));
    assert!(line.contains("initial_temp"), "{line}");
    let line = second.stderr_line(&format!("experiment {experiment_id} not restored"));
    assert!(line.contains("initial_temp"), "{line}");
    let status =
        client.get(second.url(&format!("/api/sa/{session_id}/status"))).send().await.unwrap().status();
    assert_eq!(status, 404, "a refused session is not served");
}
