//! How a session advances: a manual step, a stream's frame and a run to the end,
//! each appending its frame to the history (and logging a finished run); the
//! `impl Session` part that runs steps, beside the types in `session.rs`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{ControlReply, Engine, FRAMED_STEPS, Live, MAX_FRAME_TIME, Session, SessionState, Taken, lock};
use crate::kinds::common::StepsPerEvent;
use crate::live::error::LiveError;
use crate::live::event::{Frame, Kind};
use crate::live::log;
use crate::live::work::Cancel;

/// Clears `stepping` and wakes the viewers however a frame or a manual step ends.
struct Turn<'a>(&'a Session);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.0.live().stepping = false;
        self.0.notify.notify_waiters();
    }
}

impl Session {
    /// Advance `n` steps by hand (idle or paused -> paused, or complete), or with
    /// `to_move` to the next move tried on a valid structure (at most
    /// [`MAX_SKIPPED_DRAWS`] invalid draws skipped, `n` ignored), stopping
    /// early when `cancel` turns true (the request's deadline, or its client left).
    /// A control call made meanwhile wins: its state is kept. Blocking; call it from
    /// a blocking thread.
    pub fn step(&self, n: u64, to_move: bool, cancel: &Cancel) -> Result<ControlReply, LiveError> {
        let mut engine = lock(&self.engine);
        let version = {
            let mut live = self.live();
            if !matches!(live.state, SessionState::Idle | SessionState::Paused) {
                return Err(LiveError::InvalidTransition { action: "step", state: live.state });
            }
            live.version += 1;
            // A manual step is a frame's steps running too (streaming-status shows
            // `stepping`; no viewer claims a frame until it ends).
            live.stepping = true;
            live.version
        };
        let _turn = Turn(self);
        let target = engine.run.steps_done().saturating_add(n);
        if to_move {
            engine.advance_to_move();
        } else if n <= FRAMED_STEPS {
            // An event for each step but the last (which the answer's frame shows).
            while engine.run.steps_done() + 1 < target && !cancel.is_cancelled() {
                let next = engine.run.steps_done() + 1;
                run_for(&mut engine, next, Instant::now(), Duration::MAX, Some(cancel));
                if engine.run.is_complete() || engine.run.steps_done() < next {
                    break;
                }
                let now = Instant::now();
                let (generation, elapsed) = {
                    let live = self.live();
                    (live.generation, live.elapsed(now))
                };
                let taken = engine.frame_with_checkpoints(generation, elapsed);
                let mut live = self.live();
                live.keep_checkpoints(&taken);
                let published = live.history.latest_id();
                live.push(Kind::Progress, taken.frame);
                self.persist_pushed(live, published, true);
                self.notify.notify_waiters();
            }
        }
        if !to_move {
            run_for(&mut engine, target, Instant::now(), Duration::MAX, Some(cancel));
        }
        let stopped_early =
            (engine.run.steps_done() < target && !engine.run.is_complete()).then_some("deadline");
        let now = Instant::now();
        let (generation, elapsed) = {
            let live = self.live();
            (live.generation, live.elapsed(now))
        };
        let taken = engine.frame_with_checkpoints(generation, elapsed);
        let step = taken.frame.progress.snapshot.step;
        let state = self.append_frame(taken, now, true, |live| {
            if live.version == version { SessionState::Paused } else { live.state }
        });
        drop(engine);
        self.notify.notify_waiters();
        Ok(ControlReply { session_id: self.id, state, step, stopped_early })
    }

    /// Append a progress event (and `complete` when the run is done); returns the
    /// new state: complete, or what `otherwise` says given the live data.
    /// The record is written (before viewers see the events, if `durable`; see
    /// [`Session::persist_pushed`]).
    fn append_frame(
        &self,
        taken: Taken,
        now: Instant,
        durable: bool,
        otherwise: impl FnOnce(&Live) -> SessionState,
    ) -> SessionState {
        let complete = taken.frame.progress.snapshot.is_complete;
        let mut live = self.live();
        let published = live.history.latest_id();
        live.keep_checkpoints(&taken);
        live.push(Kind::Progress, taken.frame.clone());
        let state = if complete { SessionState::Complete } else { otherwise(&live) };
        if complete {
            live.push(Kind::Complete, taken.frame);
        }
        live.set_state(state, now);
        self.persist_pushed(live, published, durable);
        if complete {
            log::finished(self);
        }
        state
    }

    /// Called by a stream generator with `live` locked: if the session is running,
    /// a frame is due and nobody is stepping, take the stepping turn.
    pub fn claim_frame(&self, live: &mut Live, now: Instant) -> bool {
        if live.state != SessionState::Running || live.stepping || now < live.next_frame_at {
            return false;
        }
        live.stepping = true;
        live.next_frame_at = now + live.frame_interval();
        true
    }

    /// Run one frame's steps and append its event. Blocking; call it on a blocking
    /// thread after [`Session::claim_frame`] returned true. The step count is
    /// `steps_per_event` (or as many as fit the frame's time budget for "max"),
    /// bounded by [`MAX_FRAME_TIME`] so a frame never runs long.
    pub fn run_frame(&self) {
        let _turn = Turn(self);
        let mut engine = lock(&self.engine);
        let (steps_per_event, interval) = {
            let live = self.live();
            if live.state != SessionState::Running {
                return;
            }
            (live.pacing.steps_per_event, live.frame_interval())
        };
        let started = Instant::now();
        let from = engine.run.steps_done();
        let (target, budget) = match steps_per_event {
            StepsPerEvent::Steps(n) => (from.saturating_add(n), MAX_FRAME_TIME),
            StepsPerEvent::Max => (u64::MAX, interval.min(MAX_FRAME_TIME)),
        };
        run_for(&mut engine, target, started, budget, None);
        let now = Instant::now();
        let (generation, elapsed, pacing_now) = {
            let live = self.live();
            (live.generation, live.elapsed(now), live.pacing.steps_per_event)
        };
        // Regular: exactly the steps the pacing in force says, or the run's end
        // (`live::persist`); anything else must be on disk before it is shown.
        let regular = pacing_now == steps_per_event
            && (engine.run.is_complete()
                || matches!(steps_per_event, StepsPerEvent::Steps(n) if engine.run.steps_done() - from == n));
        let taken = engine.frame_with_checkpoints(generation, elapsed);
        // Whatever a control call set while the frame ran stands.
        self.append_frame(taken, now, !regular, |live| live.state);
    }

    /// Drive the run to completion or until `cancel` or `stop()` (the batch fallback, for the
    /// token's holder); returns sampled frames (at most `samples`) and the final
    /// frame, which is appended to the history like any frame. Blocking; call it on
    /// a blocking thread.
    pub fn run_to_end(
        &self,
        samples: u64,
        cancel: &Cancel,
        stop: impl Fn() -> bool,
    ) -> (Vec<Arc<Frame>>, Arc<Frame>) {
        let mut engine = lock(&self.engine);
        let mut sampled = Vec::new();
        let total = engine.run.total_steps();
        let every = (total / samples.max(1)).max(1);
        let (generation, version) = {
            let mut live = self.live();
            live.version += 1;
            (live.generation, live.version)
        };
        while !engine.run.is_complete() && !cancel.is_cancelled() && !stop() {
            let target = (engine.run.steps_done() / every + 1) * every;
            run_for(&mut engine, target, Instant::now(), MAX_FRAME_TIME, Some(cancel));
            if engine.run.steps_done().is_multiple_of(every) || engine.run.is_complete() {
                let elapsed = self.live().elapsed(Instant::now());
                let mut progress = engine.run.progress();
                progress.run = generation;
                progress.elapsed_ms = elapsed.as_millis() as u64;
                sampled.push(Frame::new(progress, engine.current_svg.clone(), engine.best_svg.clone()));
            }
        }
        let now = Instant::now();
        let elapsed = self.live().elapsed(now);
        let taken = engine.frame_with_checkpoints(generation, elapsed);
        let frame = taken.frame.clone();
        self.append_frame(taken, now, true, |live| {
            if live.version == version && live.state == SessionState::Idle {
                SessionState::Paused
            } else {
                live.state
            }
        });
        drop(engine);
        self.notify.notify_waiters();
        (sampled, frame)
    }
}

/// Run until step `target`, until `budget` has passed since `started`, or until
/// `cancel`, in chunks sized from the measured step rate so the clock is checked a
/// few times a frame; the engine takes the record's checkpoints on the way.
fn run_for(engine: &mut Engine, target: u64, started: Instant, budget: Duration, cancel: Option<&Cancel>) {
    let mut chunk: u64 = 64;
    let budget = cancel.map_or(budget, |c| budget.min(c.deadline().saturating_duration_since(started)));
    while engine.run.steps_done() < target && !engine.run.is_complete() {
        let remaining = target - engine.run.steps_done();
        let chunk_started = Instant::now();
        let n = engine.advance(chunk.min(remaining));
        if n == 0 {
            break;
        }
        let spent = started.elapsed();
        if spent >= budget || cancel.is_some_and(Cancel::is_cancelled) {
            break;
        }
        let per_step = chunk_started.elapsed().as_secs_f64() / n as f64;
        let left = budget.saturating_sub(spent).as_secs_f64().min(MAX_FRAME_TIME.as_secs_f64());
        chunk = ((left / 4.0 / per_step.max(1e-9)) as u64).clamp(1, 1 << 20);
    }
}
