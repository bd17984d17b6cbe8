//! [`SessionState`], where a session is in its life, and [`Control`], the calls
//! that move it between states.

use std::fmt;

use serde::Serialize;

/// Where a session is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionState {
    /// Configured, at step 0 (or reset).
    Idle,
    /// Advancing while someone watches.
    Running,
    /// Stopped by pause (or moved by hand with `step`).
    Paused,
    /// All steps done.
    Complete,
}

impl fmt::Display for SessionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SessionState::Idle => "idle",
            SessionState::Running => "running",
            SessionState::Paused => "paused",
            SessionState::Complete => "complete",
        })
    }
}

/// A control call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// idle or paused -> running.
    Start,
    /// running -> paused.
    Pause,
    /// paused -> running.
    Resume,
}

impl Control {
    pub(super) fn name(self) -> &'static str {
        match self {
            Control::Start => "start",
            Control::Pause => "pause",
            Control::Resume => "resume",
        }
    }
}
