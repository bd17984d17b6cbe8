//! The store keeps what it is given: sessions, rooms and experiments survive
//! closing and reopening, field for field; upsert replaces, remove removes; bad
//! values are refused with the record and field named; `--data-dir none` keeps
//! nothing; a second process on the same store is refused.

mod support;

use kiln::store::{Change, DataDir, RunState, Store, StoreError};
use support::store::{ScratchDir, experiment, room, session};
use uuid::Uuid;

#[test]
fn records_survive_close_and_reopen() {
    let dir = ScratchDir::new();
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let mut paused = session(b, 1234);
    paused.state = RunState::Paused;
    paused.steps_per_event = None; // "max"
    paused.room = None;
    let sessions = vec![session(a, 500), paused];
    let rooms = vec![room("ABCDEF", Some(a)), room("HJKMNP", None)];
    let experiments = vec![experiment(Uuid::new_v4(), 3)];
    {
        let store = Store::open(dir.path()).expect("a missing store is created");
        assert!(dir.file().exists(), "the store file is created at open");
        for s in &sessions {
            store.upsert_session(s).unwrap();
        }
        for r in &rooms {
            store.upsert_room(r).unwrap();
        }
        store.upsert_experiment(&experiments[0]).unwrap();
    }
    let store = Store::open(dir.path()).expect("reopen");
    let mut got = store.list_sessions().unwrap();
    got.sort_by_key(|s| s.step);
    assert_eq!(got, sessions);
    assert_eq!(store.list_rooms().unwrap(), rooms);
    assert_eq!(store.list_experiments().unwrap(), experiments);
}

#[test]
fn every_state_reads_back_as_written() {
    let dir = ScratchDir::new();
    let ids: Vec<Uuid> = RunState::ALL.iter().map(|_| Uuid::new_v4()).collect();
    {
        let store = Store::open(dir.path()).unwrap();
        for (id, state) in ids.iter().zip(RunState::ALL) {
            store.upsert_session(&kiln::store::SessionRecord { state, ..session(*id, 1) }).unwrap();
        }
    }
    let store = Store::open(dir.path()).unwrap();
    for record in store.list_sessions().unwrap() {
        let i = ids.iter().position(|id| *id == record.id).unwrap();
        assert_eq!(record.state, RunState::ALL[i]);
    }
}

#[test]
fn upsert_replaces_and_remove_removes() {
    let dir = ScratchDir::new();
    let store = Store::open(dir.path()).unwrap();
    let (id, exp) = (Uuid::new_v4(), Uuid::new_v4());
    store.upsert_session(&session(id, 10)).unwrap();
    store.upsert_session(&session(id, 20)).unwrap();
    assert_eq!(store.list_sessions().unwrap(), vec![session(id, 20)]);
    store.upsert_room(&room("ABCDEF", None)).unwrap();
    store.upsert_room(&room("ABCDEF", Some(id))).unwrap();
    assert_eq!(store.list_rooms().unwrap(), vec![room("ABCDEF", Some(id))]);
    store.upsert_experiment(&experiment(exp, 1)).unwrap();
    store.upsert_experiment(&experiment(exp, 4)).unwrap();
    assert_eq!(store.list_experiments().unwrap(), vec![experiment(exp, 4)]);

    store.remove_session(id).unwrap();
    store.remove_room("ABCDEF").unwrap();
    store.remove_experiment(exp).unwrap();
    store.remove_session(Uuid::new_v4()).expect("removing what is not there is no error");
    assert!(store.list_sessions().unwrap().is_empty());
    assert!(store.list_rooms().unwrap().is_empty());
    assert!(store.list_experiments().unwrap().is_empty());
}

#[test]
fn sessions_list_oldest_first() {
    let dir = ScratchDir::new();
    let store = Store::open(dir.path()).unwrap();
    let records: Vec<_> = (0..5u64)
        .map(|i| kiln::store::SessionRecord { created_at_ms: 1_000 * (5 - i), ..session(Uuid::new_v4(), i) })
        .collect();
    for r in &records {
        store.upsert_session(r).unwrap();
    }
    let created: Vec<u64> = store.list_sessions().unwrap().iter().map(|s| s.created_at_ms).collect();
    assert_eq!(created, vec![1_000, 2_000, 3_000, 4_000, 5_000]);
}

#[test]
fn a_batch_with_one_bad_change_writes_nothing() {
    let dir = ScratchDir::new();
    let store = Store::open(dir.path()).unwrap();
    let good = session(Uuid::new_v4(), 1);
    let bad = kiln::store::SessionRecord { spec: "{not json".into(), ..session(Uuid::new_v4(), 2) };
    let err = store.apply(&[Change::PutSession(good), Change::PutSession(bad.clone())]).unwrap_err();
    assert!(store.list_sessions().unwrap().is_empty(), "all or nothing");
    match &err {
        StoreError::BadRecord { record, field, value, .. } => {
            assert_eq!(record, &format!("session {}", bad.id));
            assert_eq!(*field, "spec");
            assert_eq!(value, "'{not json'");
        }
        other => panic!("expected BadRecord, got {other:?}"),
    }
    assert!(err.to_string().contains("spec '{not json'"), "{err}");
}

#[test]
fn values_the_store_cannot_keep_exactly_are_refused_with_the_field_named() {
    let store = Store::none();
    let id = Uuid::new_v4();
    let cases = [
        (kiln::store::SessionRecord { step: u64::MAX, ..session(id, 1) }, "step"),
        (kiln::store::SessionRecord { next_event_id: 1 << 63, ..session(id, 1) }, "next_event_id"),
        (kiln::store::SessionRecord { max_events_per_sec: f64::NAN, ..session(id, 1) }, "max_events_per_sec"),
        (
            kiln::store::SessionRecord { max_events_per_sec: f64::INFINITY, ..session(id, 1) },
            "max_events_per_sec",
        ),
    ];
    for (record, expected) in cases {
        match store.upsert_session(&record) {
            Err(StoreError::BadRecord { field, .. }) => assert_eq!(field, expected),
            other => panic!("{expected}: expected BadRecord, got {other:?}"),
        }
    }
    let bad_results = kiln::store::ExperimentRecord { results: "[1,".into(), ..experiment(id, 0) };
    assert!(matches!(
        store.upsert_experiment(&bad_results),
        Err(StoreError::BadRecord { field: "results", .. })
    ));
    assert!(matches!(store.upsert_room(&room("", None)), Err(StoreError::BadRecord { field: "code", .. })));
}

#[test]
fn largest_storable_counts_read_back_exactly() {
    let dir = ScratchDir::new();
    let id = Uuid::new_v4();
    let record = kiln::store::SessionRecord {
        step: i64::MAX as u64,
        next_event_id: i64::MAX as u64,
        steps_per_event: Some(i64::MAX as u64),
        ..session(id, 0)
    };
    {
        Store::open(dir.path()).unwrap().upsert_session(&record).unwrap();
    }
    assert_eq!(Store::open(dir.path()).unwrap().list_sessions().unwrap(), vec![record]);
}

#[test]
fn none_store_keeps_nothing_and_never_fails_on_good_records() {
    let store = Store::none();
    assert!(!store.is_persistent());
    assert_eq!(store.path(), None);
    store.upsert_session(&session(Uuid::new_v4(), 5)).unwrap();
    store.upsert_room(&room("ABCDEF", None)).unwrap();
    store.upsert_experiment(&experiment(Uuid::new_v4(), 2)).unwrap();
    assert!(store.list_sessions().unwrap().is_empty());
    assert!(store.list_rooms().unwrap().is_empty());
    assert!(store.list_experiments().unwrap().is_empty());
}

#[test]
fn data_dir_none_opens_the_none_store() {
    let dir: DataDir = "none".parse().unwrap();
    let (store, recovery) = Store::open_data_dir(&dir).unwrap();
    assert!(!store.is_persistent());
    assert_eq!(recovery, None);
}

#[test]
fn a_second_open_of_an_open_store_is_refused_as_in_use() {
    let dir = ScratchDir::new();
    let first = Store::open(dir.path()).unwrap();
    first.upsert_session(&session(Uuid::new_v4(), 1)).unwrap();
    match Store::open(dir.path()) {
        Err(StoreError::InUse { path }) => assert_eq!(path, dir.file()),
        other => panic!("expected InUse, got {other:?}"),
    }
    assert_eq!(first.list_sessions().unwrap().len(), 1, "the first store is untouched");
    drop(first);
    assert_eq!(Store::open(dir.path()).unwrap().list_sessions().unwrap().len(), 1, "free again once closed");
}

#[test]
fn a_data_dir_that_cannot_be_created_is_named() {
    let dir = ScratchDir::new();
    std::fs::create_dir_all(dir.path()).unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"not a directory").unwrap();
    let inside = blocker.join("data");
    match Store::open(&inside) {
        Err(e @ StoreError::CreateDir { .. }) => {
            assert!(e.to_string().contains(&inside.display().to_string()), "{e}")
        }
        other => panic!("expected CreateDir, got {other:?}"),
    }
}
