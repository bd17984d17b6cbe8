//! A server killed without warning (`kill -9`) loses at most what its writer had
//! not yet written, and never the file.
//!
//! The test runs this test binary again as a child (the same test, selected by
//! name, with [`DIR_VAR`] set, which switches it to [`crash_child`]): the child
//! steps a session as a live server would, handing every step to a coalescing writer with a short window, and prints
//! `durable N` whenever the writer reports step N on disk, without ever
//! flushing. The parent reads those lines, kills the child with SIGKILL at some
//! arbitrary moment (usually in the middle of a write), reopens the store and
//! checks that it opens cleanly and holds at least the last step reported
//! durable. Three rounds on the same file: each child also starts from a store
//! the previous one was killed over.

#![cfg(unix)]

mod support;

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kiln::store::{Store, StoreWriter};
use support::store::{PATIENCE, ScratchDir, room, session};
use uuid::Uuid;

const DIR_VAR: &str = "KILN_STORE_CRASH_DIR";
const ID_VAR: &str = "KILN_STORE_CRASH_ID";
/// The child's coalescing window: short, so writes are nearly always in flight.
const CHILD_WINDOW: Duration = Duration::from_millis(5);

#[test]
fn a_killed_writer_loses_only_unwritten_steps_and_never_the_file() {
    if std::env::var_os(DIR_VAR).is_some() {
        crash_child();
    }
    let dir = ScratchDir::new();
    let id = Uuid::new_v4();
    let mut stored_before = 0;
    for round in 1..=3 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "a_killed_writer_loses_only_unwritten_steps_and_never_the_file",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(DIR_VAR, dir.path())
            .env(ID_VAR, id.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the test binary runs itself");
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // libtest may print "test a_killed_writer... " before the first line.
                if let Some(step) = line.split_once("durable ").and_then(|(_, s)| s.parse::<u64>().ok())
                    && tx.send(step).is_err()
                {
                    break;
                }
            }
        });
        // Let the child make several unprompted writes, then kill it mid-run.
        let mut durable = Vec::new();
        while durable.len() < 5 + round {
            match rx.recv_timeout(PATIENCE) {
                Ok(step) => durable.push(step),
                Err(e) => {
                    let _ = child.kill();
                    panic!("round {round}: the child reported {durable:?} and then nothing ({e})");
                }
            }
        }
        child.kill().expect("SIGKILL");
        let status = child.wait().unwrap();
        assert_eq!(
            status.signal(),
            Some(9),
            "round {round}: the child died of SIGKILL, not of its own accord"
        );
        // Anything it reported after our last read was durable too.
        let last_durable = rx.try_iter().chain(durable.iter().copied()).max().unwrap();
        assert!(durable.windows(2).all(|w| w[0] < w[1]), "durable steps only grow: {durable:?}");
        assert!(durable[0] > stored_before, "round {round}: the child went on from the stored step");

        let store =
            Store::open(dir.path()).unwrap_or_else(|e| panic!("round {round}: the store opens ({e})"));
        let sessions = store.list_sessions().unwrap();
        assert_eq!(sessions.len(), 1, "round {round}");
        let stored = sessions[0].step;
        assert!(
            stored >= last_durable,
            "round {round}: stored step {stored} < reported durable {last_durable}"
        );
        assert_eq!(sessions[0], session(id, stored), "round {round}: the record is whole");
        assert_eq!(store.list_rooms().unwrap(), vec![room("CRASHR", Some(id))], "round {round}");
        stored_before = stored;
    }
}

/// The child process of the test above (the test itself, when [`DIR_VAR`] is
/// set): steps the session from where the store has it, through a writer, until
/// killed, or for at most a minute if the parent is gone (then exits 3, never
/// passing).
fn crash_child() -> ! {
    let (Ok(dir), Ok(id)) = (std::env::var(DIR_VAR), std::env::var(ID_VAR)) else {
        panic!("the crash child needs {DIR_VAR} and {ID_VAR}");
    };
    let id: Uuid = id.parse().unwrap();
    let store = Store::open(dir.as_ref()).expect("the child opens the store");
    let start = store.list_sessions().unwrap().first().map_or(0, |s| s.step);
    store.upsert_room(&room("CRASHR", Some(id))).unwrap();
    let writer = StoreWriter::spawn(store, CHILD_WINDOW);
    let mut steps_by_seq = Vec::new();
    let mut reported = start;
    let give_up = Instant::now() + Duration::from_secs(60);
    for step in start + 1.. {
        let seq = writer.upsert_session(session(id, step)).unwrap();
        steps_by_seq.push((seq, step));
        let written = writer.written();
        let durable = steps_by_seq.iter().take_while(|(s, _)| *s <= written).last().map(|(_, step)| *step);
        if let Some(durable) = durable.filter(|d| *d > reported) {
            println!("durable {durable}");
            reported = durable;
            steps_by_seq.retain(|(s, _)| *s > written);
        }
        // A frame's worth of stepping.
        std::thread::sleep(Duration::from_micros(500));
        if Instant::now() > give_up {
            std::process::exit(3);
        }
    }
    unreachable!("steps run past u64::MAX")
}
