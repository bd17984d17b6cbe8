//! Between live sessions and the store's records (DESIGN.md section 8): what a
//! session writes, and how a stored record becomes a session again.
//!
//! A run is a pure function of its spec and config, so a record keeps those (as
//! the JSON of [`StoredSpec`]), the step the newest event showed with the state
//! digest there, the state machine, the generation, the next event id, the token
//! and the pacing. A restart rebuilds the session by re-running it to that step
//! and checks the digest ([`crate::live::Sessions::restore`]).
//!
//! # Event ids across a crash
//!
//! Records are written through the coalescing [`crate::store::StoreWriter`], so
//! after a `kill -9` the store may lag what pages already saw: a page saw event E
//! at step 520, the store says event E0 < E at step 500. The restored session
//! must then make events E0+1..E again with the same steps, which holds if every
//! frame's step follows from the record's: the rule is "the next frame is
//! `steps_per_event` steps further, capped at the run's end (where a `complete`
//! event follows)". A frame that does not follow the rule is *durable*: its
//! record is written and flushed before any viewer may see it (the session holds
//! its events back until then). Durable frames are those of "max" pacing (time
//! based), a frame cut short by its time budget, the first frame after a pacing
//! change, a start or a resume, manual steps, resets and the batch fallback. So a
//! regular frame the store missed is regenerated step for step, and a durable
//! one is never missed.
//!
//! A page that resumes with an id the restored server has not reached yet waits
//! for it (the server sends nothing it already has, and skips nothing); see
//! `live::stream`. A page behind the restored point gets a `resync`, as for any
//! event no longer kept. A pause, unlike a frame, is written within the window
//! (about a second): one lost to a crash leaves the session running.

use kiln_engine::{AnnealConfig, Checkpoint};
use serde::{Deserialize, Serialize};

use super::state::SessionState;
use crate::kinds::Spec;
use crate::kinds::common::{Pacing, StepsPerEvent};
use crate::store::RunState;

/// What a session record's `spec` holds: everything the run is a function of.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredSpec {
    /// What is annealed.
    pub spec: Spec,
    /// How it is annealed (seed included).
    pub config: AnnealConfig,
}

impl StoredSpec {
    /// The JSON text a record keeps.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// Read a record's `spec` back; the error says what is wrong with it.
    pub fn from_json(text: &str) -> Result<StoredSpec, String> {
        serde_json::from_str(text).map_err(|e| format!("its spec is not a run's spec and config: {e}"))
    }
}

/// The store's name of a session state.
pub fn run_state(state: SessionState) -> RunState {
    match state {
        SessionState::Idle => RunState::Idle,
        SessionState::Running => RunState::Running,
        SessionState::Paused => RunState::Paused,
        SessionState::Complete => RunState::Complete,
    }
}

/// The session state of a stored one.
pub fn session_state(state: RunState) -> SessionState {
    match state {
        RunState::Idle => SessionState::Idle,
        RunState::Running => SessionState::Running,
        RunState::Paused => SessionState::Paused,
        RunState::Complete => SessionState::Complete,
    }
}

/// The record's digest text of a checkpoint's state (16 hex digits, as replay records write it).
pub fn digest_text(checkpoint: &Checkpoint) -> String {
    format!("{:016x}", checkpoint.state_hash)
}

/// Pacing as the record keeps it: steps per event (`None` for "max") and events per second.
pub fn stored_pacing(pacing: Pacing) -> (Option<u64>, f64) {
    let steps = match pacing.steps_per_event {
        StepsPerEvent::Steps(n) => Some(n),
        StepsPerEvent::Max => None,
    };
    (steps, pacing.max_events_per_sec)
}

/// The pacing of a record.
pub fn pacing_of(steps_per_event: Option<u64>, max_events_per_sec: f64) -> Pacing {
    Pacing {
        steps_per_event: steps_per_event.map_or(StepsPerEvent::Max, StepsPerEvent::Steps),
        max_events_per_sec,
    }
}
