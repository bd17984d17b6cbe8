//! Value views of a session: what a request reads, copied out of the session's
//! `live` lock in one go, so the lock never leaves `live/` and a handler never
//! holds it while it builds an answer.

use std::sync::Arc;

use uuid::Uuid;

use super::event::Frame;
use super::session::{Session, SessionState};
use super::trace::TracePoint;
use crate::kinds::Progress;
use crate::kinds::common::Pacing;

/// A session's state at one moment.
#[derive(Clone, Debug)]
pub struct Status {
    /// The state machine's state.
    pub state: SessionState,
    /// Reset generation, from 1.
    pub generation: u64,
    /// How fast the run is shown.
    pub pacing: Pacing,
    /// The open streams' client ids, in connect order.
    pub viewers: Vec<Uuid>,
    /// Events kept for reconnecting viewers.
    pub buffered: usize,
    /// Id of the newest event viewers may see (0 before any).
    pub latest_id: u64,
    /// The newest frame.
    pub latest: Arc<Frame>,
    /// A frame's steps (a viewer's frame, or a manual step) are running now.
    pub stepping: bool,
}

impl Status {
    /// The newest frame's numbers.
    pub fn progress(&self) -> &Progress {
        &self.latest.progress
    }

    /// The run is complete.
    pub fn is_complete(&self) -> bool {
        self.state == SessionState::Complete
    }
}

/// Where a new stream of a session starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    /// The client has the complete run's last event: nothing more will come.
    PastEnd,
    /// Send the events after this id.
    After(u64),
}

impl Session {
    /// The session's state now.
    pub fn status(&self) -> Status {
        let live = self.live();
        Status {
            state: live.state(),
            generation: live.generation(),
            pacing: live.pacing(),
            viewers: live.viewers().to_vec(),
            buffered: live.buffered(),
            latest_id: live.latest_id(),
            latest: live.latest().clone(),
            stepping: live.is_stepping(),
        }
    }

    /// The run's trace from step 0 (at most `max` points), with its generation and
    /// the newest step.
    pub fn trace(&self, max: usize) -> (u64, u64, Vec<TracePoint>) {
        let live = self.live();
        (live.generation(), live.latest().progress.snapshot.step, live.trace_points(max))
    }

    /// The progress of at most `samples` kept events, evenly spaced, oldest first.
    pub fn sampled_progress(&self, samples: usize) -> Vec<Progress> {
        self.live().sampled_progress(samples)
    }

    /// Where a stream opened with `resume` (the client's Last-Event-ID) starts: a
    /// fresh one at the newest event (a complete run's last event again), a
    /// resumed one after its id.
    pub fn resume(&self, resume: Option<u64>) -> Resume {
        let live = self.live();
        let complete = live.state() == SessionState::Complete;
        match resume {
            Some(id) if complete && id == live.latest_id() => Resume::PastEnd,
            Some(id) => Resume::After(id),
            None if complete => Resume::After(live.latest_id().saturating_sub(1)),
            None => Resume::After(live.latest_id()),
        }
    }
}
