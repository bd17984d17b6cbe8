//! The SSE stream of one viewer: a generator that both *drives* and *shows* its
//! session.
//!
//! A session stream is a [`super::sse::Feed`] run by the one follower every stream
//! shares (`live::sse`: opening, keep-alive, shutdown, waiting). Its feed sends the
//! history events it has not sent yet; if the session is running, a frame is due
//! and nobody is stepping, it takes the stepping turn and has the follower await
//! the frame's steps on a blocking thread (the frame appends its event and wakes
//! everyone); otherwise it waits until woken or a frame is due, with a `waiting`
//! event about every second while idle or paused.
//!
//! So a session advances only while someone watches, a slow viewer only delays
//! itself (it catches up from the history), and with many viewers exactly one
//! steps per frame. A viewer that fell further behind than the history gets one
//! `resync` event with the full current state instead of the lost events. Missed
//! events go out in chunks of at most [`CHUNK_BYTES`] (or one event), so a viewer
//! that stops reading costs the server one chunk, however long the history; and
//! while the server-wide bytes in flight are at their budget (`live::in_flight`),
//! one event at a time.
//!
//! After a restart the restored session may be behind what the previous process
//! sent (`live::persist`): a viewer resuming with an id the session has not
//! reached yet, within [`crate::live::session::Live::may_wait_for`]'s reach,
//! waits (driving the run like any viewer) until the session passes it, and then
//! gets the events after it: nothing twice, nothing skipped.

use std::sync::Arc;
use std::time::Instant;

use serde_json::json;
use tokio::sync::Notify;

use super::event::{Drawings, Frame, Kind, Stored, write_event};
use super::in_flight;
use super::session::{Session, SessionState};
use super::sessions::StreamSlot;
use super::sse::{self, Feed};

/// A viewer catching up gets its missed events in chunks of about this many bytes:
/// hyper asks for the next chunk only once the last one is written, so a viewer that
/// never reads holds one chunk, not the whole history.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// One viewer's feed.
pub struct Viewer {
    session: Arc<Session>,
    slot: StreamSlot,
    /// Id of the last event this viewer has (0 = none).
    cursor: u64,
    sent_current: u64,
    sent_best: u64,
}

/// What the loop does next, decided under the session's `live` lock.
enum Next {
    Send(Vec<Stored>),
    Resync { id: u64, frame: Arc<Frame> },
    Step,
    Deleted,
    Ended,
    Wait { until: Option<Instant>, waiting: Option<SessionState> },
}

impl Viewer {
    /// A viewer that has everything up to event `cursor`.
    pub fn new(session: Arc<Session>, slot: StreamSlot, cursor: u64) -> Self {
        Viewer { session, slot, cursor, sent_current: 0, sent_best: 0 }
    }

    /// The `connected` event, with the current progress (drawings included) so a
    /// new viewer can draw at once, and the schedule's temperature curve over the
    /// whole run (`schedule`, `kinds::curve`; null for replica exchange).
    ///
    /// The frame's JSON (drawings included, often several KB) is spliced in as it
    /// is, not parsed into a value and printed again: every new stream would
    /// otherwise leave a few copies of it behind as freed heap, which the
    /// connections opened next take their long-lived buffers from, so the drawings
    /// of a stream's first moment would stay resident as long as the streams do.
    fn connected(&mut self) -> String {
        let live = self.session.live();
        let frame = live.latest().clone();
        let state = live.state();
        drop(live);
        self.sent_current = frame.current_svg.version;
        self.sent_best = frame.best_svg.version;
        let mut data = json!({
            "session_id": self.session.id(),
            "client_id": self.slot.client_id,
            "state": state,
            "step": frame.progress.snapshot.step,
            "total_steps": frame.progress.snapshot.total_steps,
            "problem": frame.progress.problem,
            "run": frame.progress.run,
            "schedule": self.session.schedule_curve(),
        })
        .to_string();
        data.pop(); // the closing brace
        let progress = frame.json(Drawings::BOTH);
        data.reserve_exact(progress.len() + 16);
        data.push_str(",\"progress\":");
        data.push_str(&progress);
        data.push('}');
        drop(progress);
        let mut out = String::with_capacity(data.len() + 32);
        write_event(&mut out, None, "connected", &data);
        out
    }
}

impl Feed for Viewer {
    fn opening(&mut self) -> Option<String> {
        Some(self.connected())
    }

    fn signal(&self) -> Arc<Notify> {
        self.session.signal()
    }

    fn next(&mut self, now: Instant) -> sse::Next {
        match self.decide(now) {
            Next::Send(events) => self.send(events),
            Next::Resync { id, frame } => {
                self.cursor = id;
                let mut data = frame.value_with_drawings();
                self.sent_current = frame.current_svg.version;
                self.sent_best = frame.best_svg.version;
                data["reason"] = json!("the events since your last one are no longer kept");
                let mut out = String::new();
                write_event(&mut out, Some(id), "resync", &data.to_string());
                sse::Next::Send(out)
            }
            Next::Deleted => {
                let data = json!({"code": "session_ended", "message": "the session was deleted or expired"});
                let mut out = String::new();
                write_event(&mut out, None, "error", &data.to_string());
                sse::Next::Last(out)
            }
            Next::Ended => sse::Next::End,
            Next::Step => {
                let session = self.session.clone();
                let frame = tokio::task::spawn_blocking(move || session.run_frame());
                sse::Next::Work(Box::pin(async move {
                    frame.await.map_err(|_| {
                        json!({"code": "internal", "message": "a frame of this run failed"}).to_string()
                    })
                }))
            }
            Next::Wait { until, waiting } => sse::Next::Wait {
                until,
                waiting: waiting.map(|state| {
                    json!({
                        "session_state": state,
                        "message": match state {
                            SessionState::Idle => "waiting for the run to start",
                            _ => "the run is paused",
                        },
                    })
                    .to_string()
                }),
            },
        }
    }
}

impl Viewer {
    fn decide(&mut self, now: Instant) -> Next {
        let mut live = self.session.live();
        if live.is_deleted() {
            return Next::Deleted;
        }
        let latest = live.latest_id();
        let oldest = live.oldest_id();
        let ahead = self.cursor > latest && !live.may_wait_for(self.cursor);
        if ahead || self.cursor + 1 < oldest {
            let id = if live.state() == SessionState::Complete { latest.saturating_sub(1) } else { latest };
            return Next::Resync { id, frame: live.latest().clone() };
        }
        if self.cursor < latest {
            // With the server's bytes in flight at their budget, one event at a time.
            let chunk = if in_flight::has_room(CHUNK_BYTES) { CHUNK_BYTES } else { 0 };
            return Next::Send(live.events_after(self.cursor, chunk));
        }
        if self.cursor > latest && live.state() != SessionState::Running {
            // A durable frame is being written, or a frame is in flight: wait for it.
            return Next::Wait { until: None, waiting: None };
        }
        match live.state() {
            SessionState::Complete => Next::Ended,
            SessionState::Running => {
                if self.session.claim_frame(&mut live, now) {
                    Next::Step
                } else {
                    let until = if live.is_stepping() { None } else { Some(live.next_frame_at()) };
                    Next::Wait { until, waiting: None }
                }
            }
            // A frame claimed before a pause may still land: wait for it first.
            SessionState::Idle | SessionState::Paused if live.is_stepping() => {
                Next::Wait { until: None, waiting: None }
            }
            state @ (SessionState::Idle | SessionState::Paused) => {
                Next::Wait { until: None, waiting: Some(state) }
            }
        }
    }

    fn send(&mut self, events: Vec<Stored>) -> sse::Next {
        let mut out = String::new();
        let mut last = false;
        for e in events {
            let drawings = match e.kind {
                Kind::Complete => Drawings { current: false, best: true },
                Kind::Progress => Drawings {
                    current: e.frame.current_svg.version != self.sent_current,
                    best: e.frame.best_svg.version != self.sent_best,
                },
            };
            if drawings.current {
                self.sent_current = e.frame.current_svg.version;
            }
            if drawings.best {
                self.sent_best = e.frame.best_svg.version;
            }
            write_event(&mut out, Some(e.id), e.kind.name(), &e.frame.json(drawings));
            self.cursor = e.id;
            if e.kind == Kind::Complete {
                last = true;
                break;
            }
        }
        if last { sse::Next::Last(out) } else { sse::Next::Send(out) }
    }
}
