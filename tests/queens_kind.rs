//! The example's user-defined kind (`examples/queens/`) gets everything a built-in
//! kind gets, with no change to Kiln: a live session, a headless `run --json` from
//! the example's own binary, and a replay record that `replay` verifies.
//!
//! The example binary is built by `cargo test` next to the test binaries
//! (`target/<profile>/examples/queens`).

mod support;

#[path = "../examples/queens/kind.rs"]
#[allow(dead_code)]
mod queens;

use std::path::PathBuf;
use std::process::Command;

use kiln::Server;
use kiln::server::ServeOptions;
use serde_json::{Value, json};
use support::TestServer;

/// `target/<profile>/examples/queens`, beside this test's `deps/` folder.
fn queens_binary() -> PathBuf {
    let test = std::env::current_exe().expect("the test binary's path");
    let profile = test.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps");
    profile.join("examples").join(format!("queens{}", std::env::consts::EXE_SUFFIX))
}

fn queens(args: &[&str]) -> std::process::Output {
    Command::new(queens_binary()).args(args).output().expect("run the queens example (built by cargo test)")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queens_sessions_numbers_equal_the_examples_run_json() {
    let app = Server::builder().kind(queens::QueensKind).build();
    let server = TestServer::serving(&app, ServeOptions::default()).await;
    let params = json!({"problem": "queens", "n": 12, "seed": 3, "steps_per_event": "max"});
    let s = server.configure(params).await;
    let mut sse = server.stream(&s).await;
    sse.next_named("connected").await;
    server.control(&s, "start").await;
    let live = sse.next_named("complete").await.json();

    let output = queens(&["run", "--problem", "queens", "--n", "12", "--seed", "3", "--json"]);
    assert!(output.status.success(), "queens run: {}", String::from_utf8_lossy(&output.stderr));
    let printed: Value = serde_json::from_slice(&output.stdout).expect("run --json prints JSON");
    for field in [
        "step",
        "total_steps",
        "current_energy",
        "best_energy",
        "best_step",
        "accepted_moves",
        "rejected_moves",
    ] {
        assert_eq!(live[field], printed[field], "{field}: live session against `queens run --json`");
    }
    assert_eq!(live["problem"], "queens");
}

#[test]
fn the_examples_record_replays_and_a_tampered_one_is_refused() {
    let dir = std::env::temp_dir().join(format!("kiln-queens-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let record = dir.join("queens.json");
    let path = record.to_str().unwrap();
    let output = queens(&["run", "--problem", "queens", "--n", "10", "--seed", "5", "--record", path]);
    assert!(output.status.success(), "queens run --record: {}", String::from_utf8_lossy(&output.stderr));

    let replay = queens(&["replay", path, "--batch", "8", "--threads", "2"]);
    assert!(replay.status.success(), "replay: {}", String::from_utf8_lossy(&replay.stderr));

    // Change one checkpoint's state hash: the replay must name that step and exit 1.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    let checkpoints = doc["checkpoints"].as_array_mut().expect("checkpoints");
    let middle = checkpoints.len() / 2;
    let step = checkpoints[middle]["step"].clone();
    let hash = checkpoints[middle]["state_hash"].as_str().expect("a hex state hash").to_string();
    let flipped = if hash.ends_with('0') {
        format!("{}1", &hash[..hash.len() - 1])
    } else {
        format!("{}0", &hash[..hash.len() - 1])
    };
    checkpoints[middle]["state_hash"] = json!(flipped);
    std::fs::write(&record, serde_json::to_string(&doc).unwrap()).unwrap();
    let tampered = queens(&["replay", path]);
    assert_eq!(tampered.status.code(), Some(1), "a diverging record exits 1");
    let said =
        String::from_utf8_lossy(&tampered.stderr).to_string() + &String::from_utf8_lossy(&tampered.stdout);
    assert!(said.contains(&step.to_string()), "names step {step}: {said}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_board_size_comes_from_the_table_default_and_bound() {
    use kiln::kinds::{Kind, Registry, Request, Scope, Spec};
    let registry = Registry::builtin().with(queens::QueensKind);
    let row = queens::QueensKind.parameters().into_iter().find(|p| p.name == "n").expect("a row n");
    // Absent from the request: the spec carries the table's default.
    let request =
        Request::from_map(json!({"problem": "queens"}).as_object().unwrap().clone(), Scope::Session);
    let resolved = registry.resolve(&request).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resolved.spec.fields()["n"], row.default);
    // A spec edited past the table's bound (a replay record, a stored session) is
    // refused naming the field, by the table's own check.
    let max = row.max.expect("a largest n") as u64;
    let edited = Spec::from_fields("queens", json!({"n": max + 1}).as_object().unwrap().clone());
    let error = queens::QueensKind.build(&edited).err().expect("refused");
    assert_eq!(error.field, "n", "{error}");
    assert!(error.message.contains(&(max + 1).to_string()), "{error}");
}
