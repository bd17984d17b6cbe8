//! Shared helpers of the store tests (`tests/store_*.rs`): a scratch data
//! directory removed after the test, and records with every field set to a
//! value that differs from its default, so a field lost on the way shows.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use kiln::store::{ExperimentRecord, RoomRecord, RunState, SessionRecord};
use uuid::Uuid;

/// How long any awaited condition may take before the test fails (a bound
/// against hangs on a loaded machine, not a speed check).
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A fresh directory under cargo's per-target scratch space, removed on drop.
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// A new, empty directory (not created: the store must create it).
    pub fn new() -> ScratchDir {
        let path =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("store-tests").join(Uuid::new_v4().to_string());
        ScratchDir { path }
    }

    /// The data directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store file inside it.
    pub fn file(&self) -> PathBuf {
        self.path.join(kiln::store::FILE_NAME)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A session record at `step`, with a spec whose float must survive byte for byte.
pub fn session(id: Uuid, step: u64) -> SessionRecord {
    SessionRecord {
        id,
        spec: r#"{"problem":"isomer","formula":"C8H18","initial_temp":100.1,"seed":42,"num_cycles":4}"#
            .into(),
        step,
        state: RunState::Running,
        generation: 3,
        next_event_id: step / 10 + 7,
        control_token: format!("token-{id}"),
        steps_per_event: Some(25),
        max_events_per_sec: 12.5,
        room: Some("K7QXMP".into()),
        created_at_ms: 1_764_633_600_123,
        updated_at_ms: 1_764_633_600_123 + step,
        state_digest: format!("{:016x}", step.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
    }
}

/// A room whose current session is `session`.
pub fn room(code: &str, session: Option<Uuid>) -> RoomRecord {
    RoomRecord {
        code: code.into(),
        owner_token: format!("owner-{code}"),
        session_id: session,
        active_at_ms: Some(1),
        class_experiment: None,
    }
}

/// An experiment with `done` completed task results.
pub fn experiment(id: Uuid, done: usize) -> ExperimentRecord {
    let results: Vec<String> = (0..done)
        .map(|t| format!(r#"{{"task_id":{t},"status":"success","best_energy":{}}}"#, 100 - t))
        .collect();
    ExperimentRecord {
        id,
        plan: r#"{"params":[{"schedule":"faulon"},{"schedule":"geometric"}],"seeds":[1,2,3]}"#.into(),
        token: format!("exp-{id}"),
        results: format!("[{}]", results.join(",")),
    }
}
