//! Experiments' tasks in the store (issue 21, disk): each finished task is one row
//! appended, never a rewrite of the ones before; removing an experiment removes
//! its rows; at the quota (`--store-quota`) appends are refused with an error that
//! names the quota, and records of what already runs are still written; and a
//! server keeps in the store only the experiments it keeps in memory (the oldest
//! finished one goes from both when a new one needs room).

mod support;

use kiln::server::ServeOptions;
use kiln::store::{DEFAULT_WINDOW, DataDir, Store, StoreError, StoreWriter, TaskRow};
use serde_json::{Value, json};
use support::TestServer;
use support::store::{ScratchDir, experiment, session};
use uuid::Uuid;

fn task(experiment: Uuid, task: u64) -> TaskRow {
    TaskRow { experiment, task, event_id: 2 * task + 2, record: format!(r#"{{"task_id":{task}}}"#) }
}

#[test]
fn tasks_are_rows_appended_and_removed_with_their_experiment() {
    let dir = ScratchDir::new();
    let store = Store::open(dir.path()).unwrap();
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    store.upsert_experiment(&experiment(a, 0)).unwrap();
    store.upsert_experiment(&experiment(b, 0)).unwrap();
    for t in [2, 0, 1] {
        store.put_task(&task(a, t)).unwrap();
    }
    store.put_task(&task(b, 0)).unwrap();
    let rows = store.list_tasks(a).unwrap();
    assert_eq!(rows, vec![task(a, 0), task(a, 1), task(a, 2)], "by task id, as written");
    store.remove_experiment(a).unwrap();
    assert!(store.list_tasks(a).unwrap().is_empty(), "an experiment's rows go with it");
    assert_eq!(store.list_tasks(b).unwrap(), vec![task(b, 0)]);
}

#[test]
fn a_task_row_that_is_not_json_is_refused_naming_its_field() {
    let dir = ScratchDir::new();
    let store = Store::open(dir.path()).unwrap();
    let bad = TaskRow { record: "{1,".into(), ..task(Uuid::new_v4(), 0) };
    match store.put_task(&bad) {
        Err(StoreError::BadRecord { field, .. }) => assert_eq!(field, "record"),
        other => panic!("expected a bad record, got {other:?}"),
    }
}

#[test]
fn at_the_quota_appends_are_refused_and_running_records_still_written() {
    let dir = ScratchDir::new();
    let store = Store::open(dir.path()).unwrap();
    let writer = StoreWriter::spawn(store.clone(), DEFAULT_WINDOW);
    let id = Uuid::new_v4();
    writer.put_task(task(id, 0)).unwrap();
    writer.flush().unwrap();
    let used = store.bytes();
    assert!(used > 0, "the store's files take some bytes");
    writer.set_quota(used);
    let refused = writer.put_task(task(id, 1)).unwrap_err();
    assert!(matches!(refused, StoreError::Full { quota, .. } if quota == used), "{refused:?}");
    assert!(refused.to_string().contains("--store-quota"), "{refused}");
    assert!(writer.check_quota().is_err());
    // A running session's record replaces its older one: still written.
    writer.upsert_session(session(Uuid::new_v4(), 5)).unwrap();
    writer.flush().unwrap();
    assert_eq!(store.list_sessions().unwrap().len(), 1);
    writer.set_quota(u64::MAX);
    writer.check_quota().unwrap();
}

async fn create_tiny(server: &TestServer) -> Value {
    let plan =
        json!({"base": {"problem": "isomer", "formula": "C4H10", "steps": 1, "num_cycles": 1}, "seeds": 1});
    let response = server.post_json("/api/experiments", &plan).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_keeps_only_the_experiments_memory_keeps() {
    const MAX_KEPT: usize = 64; // live::experiments::MAX_KEPT
    let dir = ScratchDir::new();
    let options = ServeOptions { data_dir: DataDir::Path(dir.path().to_owned()), ..ServeOptions::default() };
    let mut server = TestServer::with(options).await;
    let mut first = None;
    for _ in 0..MAX_KEPT + 3 {
        let created = create_tiny(&server).await;
        let id = created["experiment_id"].as_str().unwrap().to_owned();
        // Await its end (the JSON fallback answers once it is complete).
        let done: Value = server
            .client
            .get(server.url(&format!("/api/experiments/{id}/stream")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(done["state"], "complete", "{done}");
        first.get_or_insert(id);
    }
    let listed: Value =
        server.client.get(server.url("/api/experiments")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["experiments"].as_array().unwrap().len(), MAX_KEPT);
    server.shutdown().await.unwrap();
    let store = Store::open(dir.path()).unwrap();
    let stored = store.list_experiments().unwrap();
    assert_eq!(stored.len(), MAX_KEPT, "the store keeps what memory keeps");
    let first = Uuid::parse_str(&first.unwrap()).unwrap();
    assert!(stored.iter().all(|e| e.id != first), "the oldest finished one left the store");
    assert!(store.list_tasks(first).unwrap().is_empty(), "and its tasks with it");
}
