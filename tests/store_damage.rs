//! A bad store file is reported, never a crash, and can be recovered from:
//! garbage bytes, a truncated file, a file from a newer Kiln and another
//! program's SQLite database are each a `StoreError` naming the path and what
//! is wrong; `open_or_recover` moves the bad file aside (kept, byte for byte)
//! and starts an empty store that works.
//!
//! The damage is made with independent means: raw bytes, and the SQLite file
//! format's documented header layout (user_version is the big-endian 32-bit
//! integer at offset 60, https://www.sqlite.org/fileformat.html#user_version_number).

mod support;

use std::path::Path;

use kiln::store::{Store, StoreError};
use support::store::{ScratchDir, session};
use uuid::Uuid;

/// A store with `n` sessions, closed cleanly.
fn filled_store(dir: &ScratchDir, n: u64) {
    let store = Store::open(dir.path()).unwrap();
    for step in 0..n {
        let mut record = session(Uuid::new_v4(), step);
        // About 1 KB per record, so the file spans many pages.
        record.state_digest = format!("{step:0>1000}");
        store.upsert_session(&record).unwrap();
    }
}

fn assert_corrupt(result: Result<Store, StoreError>, file: &Path) -> String {
    match result {
        Err(e @ StoreError::Corrupt { .. }) => {
            let message = e.to_string();
            assert!(message.contains(&file.display().to_string()), "names the path: {message}");
            message
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

/// The fresh store that replaced a bad one is empty and keeps what it is given.
fn assert_fresh_store_works(dir: &ScratchDir, store: Store) {
    assert!(store.list_sessions().unwrap().is_empty());
    let record = session(Uuid::new_v4(), 77);
    store.upsert_session(&record).unwrap();
    drop(store);
    assert_eq!(Store::open(dir.path()).unwrap().list_sessions().unwrap(), vec![record]);
}

#[test]
fn garbage_bytes_are_reported_as_corrupt_and_recovered_from() {
    let dir = ScratchDir::new();
    std::fs::create_dir_all(dir.path()).unwrap();
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(dir.file(), &garbage).unwrap();

    let message = assert_corrupt(Store::open(dir.path()), &dir.file());
    assert!(message.contains("not a database"), "says what is wrong: {message}");
    assert_eq!(std::fs::read(dir.file()).unwrap(), garbage, "a failed open writes nothing");

    let (store, recovery) = Store::open_or_recover(dir.path()).unwrap();
    let recovery = recovery.expect("the bad file was moved aside");
    assert!(matches!(recovery.error, StoreError::Corrupt { .. }));
    assert_eq!(std::fs::read(&recovery.moved_to).unwrap(), garbage, "the bad file is kept as it was");
    assert!(recovery.to_string().contains(&recovery.moved_to.display().to_string()));
    assert_fresh_store_works(&dir, store);
}

#[test]
fn truncated_files_are_reported_as_corrupt() {
    let dir = ScratchDir::new();
    filled_store(&dir, 300);
    assert!(!Path::new(&format!("{}-wal", dir.file().display())).exists(), "a clean close leaves one file");
    let whole = std::fs::read(dir.file()).unwrap();
    assert!(whole.len() > 64 * 1024, "the store spans many pages ({} bytes)", whole.len());
    for keep in [whole.len() / 2, whole.len() - 4096, 4096 + 100, 50] {
        std::fs::write(dir.file(), &whole[..keep]).unwrap();
        assert_corrupt(Store::open(dir.path()), &dir.file());
    }
}

#[test]
fn a_truncated_file_is_recovered_from() {
    let dir = ScratchDir::new();
    filled_store(&dir, 200);
    let whole = std::fs::read(dir.file()).unwrap();
    std::fs::write(dir.file(), &whole[..whole.len() / 3]).unwrap();
    let (store, recovery) = Store::open_or_recover(dir.path()).unwrap();
    let recovery = recovery.expect("moved aside");
    assert_eq!(std::fs::read(&recovery.moved_to).unwrap().len(), whole.len() / 3);
    assert_fresh_store_works(&dir, store);
}

#[test]
fn a_store_from_a_newer_format_is_reported_and_moved_aside_intact() {
    let dir = ScratchDir::new();
    filled_store(&dir, 3);
    let mut bytes = std::fs::read(dir.file()).unwrap();
    let newer = (kiln::store::FORMAT + 1) as u32;
    bytes[60..64].copy_from_slice(&newer.to_be_bytes());
    std::fs::write(dir.file(), &bytes).unwrap();

    match Store::open(dir.path()) {
        Err(e @ StoreError::NewerFormat { .. }) => {
            let StoreError::NewerFormat { ref path, found, supported } = e else { unreachable!() };
            assert_eq!(path, &dir.file());
            assert_eq!((found, supported), (i64::from(newer), kiln::store::FORMAT));
            assert!(e.to_string().contains("newer"), "{e}");
        }
        other => panic!("expected NewerFormat, got {other:?}"),
    }
    assert_eq!(std::fs::read(dir.file()).unwrap(), bytes, "a newer store is not touched");

    let (store, recovery) = Store::open_or_recover(dir.path()).unwrap();
    let moved = std::fs::read(recovery.expect("moved aside").moved_to).unwrap();
    assert_eq!(moved, bytes, "the newer kiln's file is kept intact");
    assert_fresh_store_works(&dir, store);
}

#[test]
fn another_programs_sqlite_database_is_not_taken_over() {
    let dir = ScratchDir::new();
    std::fs::create_dir_all(dir.path()).unwrap();
    {
        let other = rusqlite::Connection::open(dir.file()).unwrap();
        other.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');").unwrap();
    }
    let message = assert_corrupt(Store::open(dir.path()), &dir.file());
    assert!(message.contains("not a Kiln store"), "{message}");
    let other = rusqlite::Connection::open(dir.file()).unwrap();
    let body: String = other.query_row("SELECT body FROM notes", [], |r| r.get(0)).unwrap();
    assert_eq!(body, "keep me");
}

#[test]
fn an_empty_file_is_a_new_store() {
    let dir = ScratchDir::new();
    std::fs::create_dir_all(dir.path()).unwrap();
    std::fs::write(dir.file(), b"").unwrap();
    assert_fresh_store_works(
        &dir,
        Store::open(dir.path()).expect("SQLite reads an empty file as an empty database"),
    );
}

#[test]
fn a_directory_in_the_files_place_is_reported_and_not_moved() {
    let dir = ScratchDir::new();
    std::fs::create_dir_all(dir.file()).unwrap();
    match Store::open_or_recover(dir.path()) {
        Err(e @ StoreError::Unreadable { .. }) => {
            assert!(e.to_string().contains(&dir.file().display().to_string()), "{e}");
            assert!(!e.is_bad_file());
        }
        other => panic!("expected Unreadable, got {other:?}"),
    }
    assert!(dir.file().is_dir(), "left where it was");
}
