//! The SSE stream of one viewer: a generator that both *drives* and *shows* its
//! session.
//!
//! Every open stream runs the same loop. It sends the history events it has not
//! sent yet; if the session is running, a frame is due and nobody is stepping, it
//! takes the stepping turn and runs the frame's steps on a blocking thread (the
//! frame appends its event and wakes everyone); otherwise it sleeps until woken, a
//! frame is due, a `waiting` event is due (about every second while idle or
//! paused), a keep-alive comment is due (15 s of silence) or the server stops.
//!
//! So a session advances only while someone watches, a slow viewer only delays
//! itself (it catches up from the history), and with many viewers exactly one
//! steps per frame. A viewer that fell further behind than the history gets one
//! `resync` event with the full current state instead of the lost events. Missed
//! events go out in chunks of at most [`CHUNK_BYTES`] (or one event), so a viewer
//! that stops reading costs the server one chunk, however long the history.
//!
//! After a restart the restored session may be behind what the previous process
//! sent (`live::persist`): a viewer resuming with an id the session has not
//! reached yet, within [`crate::live::session::Live::may_wait_for`]'s reach,
//! waits (driving the run like any viewer) until the session passes it, and then
//! gets the events after it: nothing twice, nothing skipped.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::watch;
use warp::hyper::body::Bytes;

use super::event::{Drawings, Frame, KEEP_ALIVE, Kind, RETRY, Stored, write_event};
use super::session::{Session, SessionState};
use super::sessions::StreamSlot;

/// Interval of `waiting` events while idle or paused.
pub const WAITING_EVERY: Duration = Duration::from_secs(1);
/// A viewer catching up gets its missed events in chunks of about this many bytes:
/// hyper asks for the next chunk only once the last one is written, so a viewer that
/// never reads holds one chunk, not the whole history.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// One viewer's generator state.
pub struct Viewer {
    session: Arc<Session>,
    slot: StreamSlot,
    /// Id of the last event this viewer has (0 = none).
    cursor: u64,
    sent_current: u64,
    sent_best: u64,
    stop: watch::Receiver<bool>,
    keep_alive: Duration,
    last_write: Instant,
    next_waiting: Instant,
    opening: Option<String>,
    finished: bool,
}

/// What the loop does next, decided under the session's `live` lock.
enum Next {
    Send(Vec<Stored>),
    Resync { id: u64, frame: Arc<Frame> },
    Step,
    Deleted,
    Ended,
    Wait { until: Instant, waiting: Option<SessionState> },
}

impl Viewer {
    /// A viewer that has everything up to event `cursor`; it sends a keep-alive
    /// comment after `keep_alive` of silence.
    pub fn new(
        session: Arc<Session>,
        slot: StreamSlot,
        cursor: u64,
        stop: watch::Receiver<bool>,
        keep_alive: Duration,
    ) -> Self {
        let now = Instant::now();
        let mut viewer = Viewer {
            session,
            slot,
            cursor,
            sent_current: 0,
            sent_best: 0,
            stop,
            keep_alive,
            last_write: now,
            next_waiting: now + WAITING_EVERY,
            opening: None,
            finished: false,
        };
        viewer.opening = Some(viewer.connected());
        viewer
    }

    /// `retry` plus the `connected` event, with the current progress (drawings
    /// included) so a new viewer can draw at once.
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
            "step": frame.progress.step,
            "total_steps": frame.progress.total_steps,
            "problem": frame.progress.problem,
            "run": frame.progress.run,
        })
        .to_string();
        data.pop(); // the closing brace
        let progress = frame.json(Drawings::BOTH);
        data.reserve_exact(progress.len() + 16);
        data.push_str(",\"progress\":");
        data.push_str(&progress);
        data.push('}');
        drop(progress);
        let mut out = String::with_capacity(RETRY.len() + data.len() + 32);
        out.push_str(RETRY);
        write_event(&mut out, None, "connected", &data);
        out
    }

    /// The next chunk of bytes for the response body; `None` ends the stream.
    pub async fn next_chunk(&mut self) -> Option<Bytes> {
        if let Some(opening) = self.opening.take() {
            return Some(self.written(opening));
        }
        if self.finished {
            return None;
        }
        loop {
            if *self.stop.borrow() {
                self.finished = true;
                let data = json!({"message": "the server is shutting down"}).to_string();
                let mut out = String::new();
                write_event(&mut out, None, "shutdown", &data);
                return Some(self.written(out));
            }
            let session = self.session.clone();
            let notified = session.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let now = Instant::now();
            match self.decide(now) {
                Next::Send(events) => return Some(self.send(events)),
                Next::Resync { id, frame } => {
                    self.cursor = id;
                    let mut data = frame.value_with_drawings();
                    self.sent_current = frame.current_svg.version;
                    self.sent_best = frame.best_svg.version;
                    data["reason"] = json!("the events since your last one are no longer kept");
                    let mut out = String::new();
                    write_event(&mut out, Some(id), "resync", &data.to_string());
                    return Some(self.written(out));
                }
                Next::Deleted => {
                    self.finished = true;
                    let data =
                        json!({"code": "session_ended", "message": "the session was deleted or expired"});
                    let mut out = String::new();
                    write_event(&mut out, None, "error", &data.to_string());
                    return Some(self.written(out));
                }
                Next::Ended => {
                    self.finished = true;
                    return None;
                }
                Next::Step => {
                    let session = self.session.clone();
                    let frame = tokio::task::spawn_blocking(move || session.run_frame());
                    // If the server stops mid-frame the frame finishes on its own thread.
                    tokio::select! {
                        result = frame => {
                            if result.is_err() {
                                self.finished = true;
                                let data = json!({"code": "internal", "message": "a frame of this run failed"});
                                let mut out = String::new();
                                write_event(&mut out, None, "error", &data.to_string());
                                return Some(self.written(out));
                            }
                        }
                        _ = self.stop.changed() => {}
                    }
                }
                Next::Wait { until, waiting } => {
                    if let Some(state) = waiting
                        && now >= self.next_waiting
                    {
                        self.next_waiting = now + WAITING_EVERY;
                        let data = json!({
                            "session_state": state,
                            "message": match state {
                                SessionState::Idle => "waiting for the run to start",
                                _ => "the run is paused",
                            },
                        });
                        let mut out = String::new();
                        write_event(&mut out, None, "waiting", &data.to_string());
                        return Some(self.written(out));
                    }
                    if now >= self.last_write + self.keep_alive {
                        return Some(self.written(KEEP_ALIVE.to_string()));
                    }
                    let mut until = until.min(self.last_write + self.keep_alive);
                    if waiting.is_some() {
                        until = until.min(self.next_waiting);
                    }
                    tokio::select! {
                        _ = &mut notified => {}
                        _ = tokio::time::sleep_until(until.into()) => {}
                        _ = self.stop.changed() => {}
                    }
                }
            }
        }
    }

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
            return Next::Send(live.events_after(self.cursor, CHUNK_BYTES));
        }
        if self.cursor > latest && live.state() != SessionState::Running {
            // A durable frame is being written, or a frame is in flight: wait for it.
            return Next::Wait { until: now + self.keep_alive, waiting: None };
        }
        match live.state() {
            SessionState::Complete => Next::Ended,
            SessionState::Running => {
                if self.session.claim_frame(&mut live, now) {
                    Next::Step
                } else {
                    let until = if live.is_stepping() { now + self.keep_alive } else { live.next_frame_at() };
                    Next::Wait { until, waiting: None }
                }
            }
            // A frame claimed before a pause may still land: wait for it first.
            SessionState::Idle | SessionState::Paused if live.is_stepping() => {
                Next::Wait { until: now + self.keep_alive, waiting: None }
            }
            state @ (SessionState::Idle | SessionState::Paused) => {
                Next::Wait { until: self.next_waiting, waiting: Some(state) }
            }
        }
    }

    fn send(&mut self, events: Vec<Stored>) -> Bytes {
        let mut out = String::new();
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
                self.finished = true;
                break;
            }
        }
        self.written(out)
    }

    fn written(&mut self, text: String) -> Bytes {
        self.last_write = Instant::now();
        Bytes::from(text)
    }
}

/// The body stream of a viewer.
pub fn body(
    viewer: Viewer,
) -> impl futures_util::Stream<Item = Result<Bytes, std::convert::Infallible>> + Send {
    futures_util::stream::unfold(viewer, |mut viewer| async move {
        let chunk = viewer.next_chunk().await?;
        Some((Ok(chunk), viewer))
    })
}
