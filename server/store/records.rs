//! The records the store keeps: plain data, one struct per table, with no link to
//! the live server's types so that the store builds and tests on its own.
//!
//! A session record is everything needed to rebuild a session after a restart:
//! a run is a pure function of its spec, so the spec and the step reached are
//! enough to replay it, and the state digest at that step checks the replay.
//! Times are milliseconds since the Unix epoch, so a record reads back exactly
//! as it was written.

use std::fmt;

use uuid::Uuid;

/// Where a session is in its state machine (DESIGN.md section 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RunState {
    /// Configured, at step 0 (or reset).
    Idle,
    /// Advancing while someone watches.
    Running,
    /// Stopped by pause or moved by hand.
    Paused,
    /// All steps done.
    Complete,
}

impl RunState {
    /// Every state, in the order of a run's life.
    pub const ALL: [RunState; 4] = [RunState::Idle, RunState::Running, RunState::Paused, RunState::Complete];

    /// The state's name as the API and the store file spell it.
    pub fn name(self) -> &'static str {
        match self {
            RunState::Idle => "idle",
            RunState::Running => "running",
            RunState::Paused => "paused",
            RunState::Complete => "complete",
        }
    }

    /// The state with this name, if any.
    pub fn from_name(name: &str) -> Option<RunState> {
        RunState::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl fmt::Display for RunState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One live session, as kept across restarts.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRecord {
    /// The session's id (a random UUIDv4).
    pub id: Uuid,
    /// The run's parameters as JSON text, kept byte for byte: the run is a pure
    /// function of it.
    pub spec: String,
    /// The step the run has reached.
    pub step: u64,
    /// The state machine's state.
    pub state: RunState,
    /// The run generation (1, plus one per reset).
    pub generation: u64,
    /// The id the next event will carry (event ids continue after a restart).
    pub next_event_id: u64,
    /// The token that mutating calls present.
    pub control_token: String,
    /// Steps per event; `None` is `"max"` (fill each frame's time budget).
    pub steps_per_event: Option<u64>,
    /// Most events per second (finite).
    pub max_events_per_sec: f64,
    /// The code of the room the session was run in, if any.
    pub room: Option<String>,
    /// When the session was created, ms since the Unix epoch.
    pub created_at_ms: u64,
    /// When this record was last changed, ms since the Unix epoch.
    pub updated_at_ms: u64,
    /// The digest of the run's state at `step`, to check the rebuild against.
    pub state_digest: String,
}

/// One room: a short code whose watchers follow its owner's current session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomRecord {
    /// The code typed off the projector.
    pub code: String,
    /// The token of the page that owns the room.
    pub owner_token: String,
    /// The session the room shows now; `None` before its first run.
    pub session_id: Option<Uuid>,
    /// When the room was last active (a change, or its last stream closing), in
    /// milliseconds since the Unix epoch: its idle clock goes on across restarts.
    /// `None` in a store made before rooms kept it.
    pub active_at_ms: Option<u64>,
    /// The room's last class experiment, if it started one (`None` in a store made
    /// before rooms kept it).
    pub class_experiment: Option<Uuid>,
}

/// One experiment of many runs (DESIGN.md section 9).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExperimentRecord {
    /// The experiment's id.
    pub id: Uuid,
    /// Its plan (parameter grid and seeds) as JSON text.
    pub plan: String,
    /// The token that mutating calls present.
    pub token: String,
    /// The results of the tasks completed so far, as JSON text (the shape is the
    /// experiment module's; the store only checks that it is JSON).
    pub results: String,
}

/// One finished task of an experiment, appended as it completes (never rewritten:
/// an experiment of 10,000 tasks writes each task's line once).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskRow {
    /// The experiment's id.
    pub experiment: Uuid,
    /// The task's id within the experiment.
    pub task: u64,
    /// The id of the experiment's event that announced it (restarts go on after the
    /// newest stored one).
    pub event_id: u64,
    /// The task's record as JSON text (the shape is the experiment module's).
    pub record: String,
}
