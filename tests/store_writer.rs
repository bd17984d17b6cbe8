//! The coalescing writer: many changes to one record within a window become one
//! write; changes reach the file without a flush once their window passes;
//! `flush`, `close` and dropping the writer write everything; writers on
//! several threads lose nothing; with `--data-dir none` it does nothing.

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use kiln::store::{Store, StoreError, StoreWriter};
use support::store::{PATIENCE, ScratchDir, experiment, room, session};
use uuid::Uuid;

/// Long enough that nothing is written by the window's end during a test.
const NEVER: Duration = Duration::from_secs(3600);

#[test]
fn changes_to_one_session_within_a_window_are_one_write() {
    let dir = ScratchDir::new();
    let store = Store::open(dir.path()).unwrap();
    let writer = StoreWriter::spawn(store.clone(), NEVER);
    let id = Uuid::new_v4();
    let mut last = 0;
    for step in 1..=200 {
        last = writer.upsert_session(session(id, step)).unwrap();
    }
    assert_eq!(writer.batches(), 0, "nothing written before the window ends");
    assert!(writer.written() < last);
    assert!(store.list_sessions().unwrap().is_empty());

    writer.flush().unwrap();
    assert_eq!(writer.batches(), 1, "200 changes of one record: one transaction");
    assert_eq!(writer.written(), last);
    assert_eq!(store.list_sessions().unwrap(), vec![session(id, 200)], "the newest change wins");
}

#[test]
fn changes_reach_the_file_when_their_window_ends_without_a_flush() {
    let dir = ScratchDir::new();
    let store = Store::open(dir.path()).unwrap();
    let writer = StoreWriter::spawn(store.clone(), Duration::from_millis(50));
    let id = Uuid::new_v4();
    let seq = writer.upsert_session(session(id, 9)).unwrap();
    assert!(writer.wait_written(seq, PATIENCE), "written within the window, unprompted");
    assert_eq!(store.list_sessions().unwrap(), vec![session(id, 9)]);
}

#[test]
fn close_writes_what_is_pending() {
    let dir = ScratchDir::new();
    let (id, code, exp) = (Uuid::new_v4(), "QRSTUV", Uuid::new_v4());
    {
        let writer = StoreWriter::spawn(Store::open(dir.path()).unwrap(), NEVER);
        writer.upsert_session(session(id, 42)).unwrap();
        writer.upsert_room(room(code, Some(id))).unwrap();
        writer.upsert_experiment(experiment(exp, 2)).unwrap();
        writer.close().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.list_sessions().unwrap(), vec![session(id, 42)]);
    assert_eq!(store.list_rooms().unwrap(), vec![room(code, Some(id))]);
    assert_eq!(store.list_experiments().unwrap(), vec![experiment(exp, 2)]);
}

#[test]
fn dropping_the_writer_writes_what_is_pending() {
    let dir = ScratchDir::new();
    let id = Uuid::new_v4();
    {
        let writer = StoreWriter::spawn(Store::open(dir.path()).unwrap(), NEVER);
        writer.upsert_session(session(id, 7)).unwrap();
    }
    assert_eq!(Store::open(dir.path()).unwrap().list_sessions().unwrap(), vec![session(id, 7)]);
}

#[test]
fn the_last_change_to_a_record_wins_whether_put_or_remove() {
    let dir = ScratchDir::new();
    let store = Store::open(dir.path()).unwrap();
    let writer = StoreWriter::spawn(store.clone(), NEVER);
    let (gone, back) = (Uuid::new_v4(), Uuid::new_v4());
    writer.upsert_session(session(gone, 1)).unwrap();
    writer.remove_session(gone).unwrap();
    writer.remove_session(back).unwrap();
    writer.upsert_session(session(back, 2)).unwrap();
    writer.upsert_room(room("ABCDEF", None)).unwrap();
    writer.remove_room("ABCDEF").unwrap();
    writer.flush().unwrap();
    assert_eq!(store.list_sessions().unwrap(), vec![session(back, 2)]);
    assert!(store.list_rooms().unwrap().is_empty());
}

#[test]
fn a_bad_record_is_refused_when_handed_in_and_blocks_nothing() {
    let dir = ScratchDir::new();
    let store = Store::open(dir.path()).unwrap();
    let writer = StoreWriter::spawn(store.clone(), NEVER);
    let good = session(Uuid::new_v4(), 3);
    writer.upsert_session(good.clone()).unwrap();
    let bad = kiln::store::SessionRecord { max_events_per_sec: f64::NAN, ..session(Uuid::new_v4(), 4) };
    assert!(matches!(
        writer.upsert_session(bad),
        Err(StoreError::BadRecord { field: "max_events_per_sec", .. })
    ));
    writer.flush().unwrap();
    assert_eq!(store.list_sessions().unwrap(), vec![good]);
}

#[test]
fn writers_on_many_threads_lose_nothing() {
    const THREADS: u64 = 8;
    const SESSIONS: u64 = 25;
    const UPDATES: u64 = 40;
    let dir = ScratchDir::new();
    let store = Store::open(dir.path()).unwrap();
    let writer = Arc::new(StoreWriter::spawn(store.clone(), Duration::from_millis(5)));
    let mut expected = HashMap::new();
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let ids: Vec<Uuid> = (0..SESSIONS).map(|_| Uuid::new_v4()).collect();
            for id in &ids {
                expected.insert(*id, session(*id, UPDATES * 100 + t));
            }
            let (writer, store) = (writer.clone(), store.clone());
            std::thread::spawn(move || {
                for u in 1..=UPDATES {
                    for id in &ids {
                        let step = if u == UPDATES { UPDATES * 100 + t } else { u };
                        writer.upsert_session(session(*id, step)).unwrap();
                    }
                    // Direct writes from the same threads meanwhile, to other records.
                    store.upsert_room(&room(&format!("ROOM{t}{u:02}"), ids.first().copied())).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    Arc::into_inner(writer).expect("every thread is done").close().unwrap();
    drop(store);

    let store = Store::open(dir.path()).unwrap();
    let got: HashMap<Uuid, _> = store.list_sessions().unwrap().into_iter().map(|s| (s.id, s)).collect();
    assert_eq!(got.len(), (THREADS * SESSIONS) as usize);
    assert_eq!(got, expected);
    assert_eq!(store.list_rooms().unwrap().len(), (THREADS * UPDATES) as usize);
}

#[test]
fn with_data_dir_none_the_writer_does_nothing_and_never_waits() {
    let writer = StoreWriter::spawn(Store::none(), NEVER);
    let seq = writer.upsert_session(session(Uuid::new_v4(), 1)).unwrap();
    assert_eq!(writer.written(), seq);
    assert!(writer.wait_written(seq, Duration::ZERO));
    writer.flush().unwrap();
    assert_eq!(writer.batches(), 0);
    writer.close().unwrap();
}
