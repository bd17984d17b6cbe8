//! A `Session`: one run, its state machine, its bounded event history and its
//! viewers.
//!
//! Two locks, always taken in this order when both are needed:
//!
//! * `engine` (the *stepping lock*): the [`Run`] and its drawings. Held only on
//!   blocking threads (`spawn_blocking`) while steps run, never on the async
//!   reactor, so a long frame delays no other request.
//! * `live`: plain data every request and stream generator reads (state, history,
//!   viewers, pacing clock). Held for microseconds and never across an `.await`,
//!   which is why it is a `std::sync::Mutex` and not tokio's: an async mutex would
//!   only add cost to critical sections that cannot yield anyway.
//!
//! No task advances a session on its own. Stream generators call
//! [`Session::claim_frame`] when a frame is due and then [`Session::run_frame`] on a
//! blocking thread; it appends the frame to the history and wakes every generator
//! through `notify`. Control calls ([`Session::step`], [`Session::reset`]) append
//! frames the same way, so viewers see them too.
//!
//! Every control call bumps a state *version*. A manual step notes the version when
//! it begins and, when it ends, sets the state to paused only if nobody changed it
//! meanwhile: a `start` answered "running" during the step stays running.
//!
//! The history is bounded by count and by bytes (an event of a 100,000-city tour
//! carries megabytes of drawings), oldest events dropped first; a viewer that asks
//! for dropped ones gets a `resync`.
//!
//! The replay record is kept as the run goes: whoever advances the run takes a
//! [`Checkpoint`] at every multiple of the record's interval, and every frame stores
//! the checkpoint of its own step, so [`Session::record`] copies a list instead of
//! re-running the session from step 0.
//!
//! Persistence: every change of the session (a frame, a control call, a pacing
//! change, a reset) hands its record to the store's coalescing writer, under the
//! `live` lock so records reach the writer in the order the changes happened.
//! Frames whose step does not follow from the stored record are *durable*: their
//! events are held back from viewers (the history publishes them late) until the
//! record is on disk; `live::persist` says why that keeps event ids sound across
//! a `kill -9`. A restarted server rebuilds sessions with [`Session::restore`].
//!
//! Files: the types and control calls here; how a session advances in
//! `session/frames.rs`, how it is kept in the store in `session/store.rs`;
//! [`SessionState`] and [`Control`] in `live::state` (re-exported here).

mod frames;
mod store;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kiln_engine::{AnnealConfig, Checkpoint, ReplayRecord};
use serde::Serialize;
use tokio::sync::Notify;
use uuid::Uuid;

use super::error::LiveError;
use super::event::{Frame, Kind, Shown, Stored, Svg};
use super::event_log::{After, EventLog, LogLimits};
use super::persist::{self, StoredSpec};
pub use super::state::{Control, SessionState};
use super::token::same_token;
use super::trace::{RunTrace, TRACE_POINTS, TracePoint};
use crate::kinds::common::{Pacing, StepsPerEvent};
use crate::kinds::curve::{ScheduleCurve, schedule_curve};
use crate::kinds::run::MAX_SKIPPED_DRAWS;
use crate::kinds::{Run, Spec};
use crate::store::{SessionRecord, StoreWriter};

/// Longest a frame's steps may run before its event is sent anyway.
pub const MAX_FRAME_TIME: Duration = Duration::from_millis(250);
/// Most steps one `step?n=` call may ask for.
pub const MAX_MANUAL_STEPS: u64 = 100_000;
/// Checkpoints of a replay record (about; plus the first and the last).
pub const RECORD_CHECKPOINTS: u64 = 100;
/// A manual step of at most this many steps sends an event per step, so a class
/// stepping through "Step 10" sees (and charts) its ten steps, not one jump.
pub const FRAMED_STEPS: u64 = 10;

/// Lock a mutex, going on with the data if a panicking thread poisoned it: every
/// critical section leaves the data consistent before anything that can panic.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The run and its drawings: what the stepping lock guards.
struct Engine {
    run: Run,
    current_svg: Arc<Svg>,
    best_svg: Arc<Svg>,
    /// (reset generation, state mark) of the drawings above.
    current_mark: (u64, u64),
    best_mark: (u64, u64),
    svg_version: u64,
    /// Steps between record checkpoints.
    every: u64,
    /// Checkpoints taken since the last frame, moved to `Live` with it.
    pending: Vec<Checkpoint>,
}

impl Engine {
    fn new(run: Run) -> Self {
        let current_svg = Svg::new(1, &run.current_svg());
        let best_svg = Svg::new(2, &run.best_svg());
        let (c, b) = run.state_marks();
        let every = (run.total_steps() / RECORD_CHECKPOINTS).max(1);
        Self {
            run,
            current_svg,
            best_svg,
            current_mark: (1, c),
            best_mark: (1, b),
            svg_version: 2,
            every,
            pending: Vec::new(),
        }
    }

    /// Advance up to `n` steps, stopping at every multiple of `every` to take the
    /// record's checkpoint; returns the steps done.
    fn advance(&mut self, n: u64) -> u64 {
        let mut done = 0;
        while done < n && !self.run.is_complete() {
            let at = self.run.steps_done();
            let to_checkpoint = self.every - at % self.every;
            let ran = self.run.run((n - done).min(to_checkpoint));
            if ran == 0 {
                break;
            }
            done += ran;
            if self.run.steps_done().is_multiple_of(self.every) {
                self.pending.push(self.run.checkpoint());
            }
        }
        done
    }

    /// Advance to the next move tried on a valid structure ([`Run::step_to_move`]),
    /// taking the record's checkpoints on the way as [`Engine::advance`] does.
    fn advance_to_move(&mut self) -> u64 {
        let (every, pending) = (self.every, &mut self.pending);
        self.run.step_to_move(MAX_SKIPPED_DRAWS, |run| {
            if run.steps_done().is_multiple_of(every) {
                pending.push(run.checkpoint());
            }
        })
    }

    /// A frame of the current step, re-rendering only drawings whose state moved.
    fn frame(&mut self, generation: u64, elapsed: Duration) -> Arc<Frame> {
        let (c, b) = self.run.state_marks();
        if self.current_mark != (generation, c) {
            self.svg_version += 1;
            self.current_svg = Svg::new(self.svg_version, &self.run.current_svg());
            self.current_mark = (generation, c);
        }
        if self.best_mark != (generation, b) {
            self.svg_version += 1;
            self.best_svg = Svg::new(self.svg_version, &self.run.best_svg());
            self.best_mark = (generation, b);
        }
        let mut progress = self.run.progress();
        progress.run = generation;
        progress.elapsed_ms = elapsed.as_millis() as u64;
        Frame::new(progress, self.current_svg.clone(), self.best_svg.clone())
    }

    /// The frame of the current step with the checkpoints taken since the last one.
    fn frame_with_checkpoints(&mut self, generation: u64, elapsed: Duration) -> Taken {
        let frame = self.frame(generation, elapsed);
        Taken { frame, checkpoints: std::mem::take(&mut self.pending), at: self.run.checkpoint() }
    }
}

/// A frame as a run produced it, with what the record needs.
struct Taken {
    frame: Arc<Frame>,
    /// Record checkpoints passed since the previous frame.
    checkpoints: Vec<Checkpoint>,
    /// The checkpoint of the frame's own step.
    at: Checkpoint,
}

/// What every request and generator reads: plain data behind `Session::live`,
/// read and changed through its methods.
pub struct Live {
    /// The state machine.
    state: SessionState,
    /// Reset generation, from 1.
    generation: u64,
    /// The last events, oldest first, ids contiguous; events of a durable frame
    /// are held back from viewers until its record is on disk.
    history: EventLog<Shown>,
    /// Open streams' client ids, in connect order.
    clients: Vec<Uuid>,
    /// A frame's steps are running.
    stepping: bool,
    /// When the next frame is due (while running).
    next_frame_at: Instant,
    /// The newest frame (for status, `connected` and `resync`).
    latest: Arc<Frame>,
    /// Running time before the current running stretch.
    elapsed_before: Duration,
    /// Start of the current running stretch.
    running_since: Option<Instant>,
    /// The session was deleted or expired: streams end with an error.
    deleted: bool,
    /// Bumped by every control call; a manual step keeps its "paused" only if the
    /// version did not move while it ran.
    version: u64,
    /// Last call of the session's owner or open stream (the idle TTL's clock;
    /// status polls do not count).
    owner_seen: Instant,
    /// Record checkpoints up to the latest frame, from step 0.
    checkpoints: Vec<Checkpoint>,
    /// The checkpoint of the latest frame's step.
    latest_checkpoint: Checkpoint,
    /// How fast the run is shown; the owner may change it while it runs.
    pacing: Pacing,
    /// The run's numbers from step 0, downsampled (`GET /api/sa/{id}/trace`).
    trace: RunTrace,
    /// Pacing or state changed since the last frame: the next frame is durable.
    boundary_moved: bool,
    /// A restored session: the newest event id a resuming viewer may wait for
    /// (events the previous process sent that the store had not caught up with);
    /// 0 for a session made in this process.
    resume_horizon: u64,
}

impl Live {
    /// The state machine's state.
    pub fn state(&self) -> SessionState {
        self.state
    }

    /// Reset generation, from 1.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The run's trace from step 0, at most `max` points.
    pub fn trace_points(&self, max: usize) -> Vec<TracePoint> {
        self.trace.points(max)
    }

    /// How fast the run is shown now.
    pub fn pacing(&self) -> Pacing {
        self.pacing
    }

    /// Time between frames at the current pacing.
    pub fn frame_interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.pacing.max_events_per_sec)
    }

    /// The newest frame.
    pub fn latest(&self) -> &Arc<Frame> {
        &self.latest
    }

    /// Id of the oldest event kept (the next id when none is kept).
    pub fn oldest_id(&self) -> u64 {
        self.history.oldest_id()
    }

    /// The kept events after `cursor`, oldest first, as many as fit in `max_bytes`
    /// (at least one).
    pub fn events_after(&self, cursor: u64, max_bytes: usize) -> Vec<Stored> {
        match self.history.events_after(cursor, max_bytes) {
            After::Events(events) => events
                .into_iter()
                .map(|e| Stored { id: e.id, kind: e.event.kind, frame: e.event.frame })
                .collect(),
            After::Resync => Vec::new(),
        }
    }

    /// The progress of at most `samples` kept events, evenly spaced, oldest first.
    pub fn sampled_progress(&self, samples: usize) -> Vec<crate::kinds::Progress> {
        let every = self.history.len().div_ceil(samples.max(1)).max(1);
        self.history.iter().step_by(every).map(|e| e.event.frame.progress.clone()).collect()
    }

    /// How many events are kept.
    pub fn buffered(&self) -> usize {
        self.history.len()
    }

    /// The open streams' client ids, in connect order.
    pub fn viewers(&self) -> &[Uuid] {
        &self.clients
    }

    /// The session was deleted or expired.
    pub fn is_deleted(&self) -> bool {
        self.deleted
    }

    /// A frame's steps are running.
    pub fn is_stepping(&self) -> bool {
        self.stepping
    }

    /// When the next frame is due (while running).
    pub fn next_frame_at(&self) -> Instant {
        self.next_frame_at
    }

    /// Note the owner's activity now, for the idle TTL.
    pub fn touch(&mut self, now: Instant) {
        self.owner_seen = now;
    }

    /// Add an open stream's client id.
    pub fn add_viewer(&mut self, client: Uuid, now: Instant) {
        self.clients.push(client);
        self.owner_seen = now;
    }

    /// Remove a closed stream's client id.
    pub fn remove_viewer(&mut self, client: Uuid, now: Instant) {
        self.clients.retain(|c| *c != client);
        self.owner_seen = now;
    }

    /// No stream is open and the owner has not called for longer than `ttl`
    /// (watchers' status polls do not count).
    pub fn idle_longer_than(&self, ttl: Duration, now: Instant) -> bool {
        self.clients.is_empty() && now.saturating_duration_since(self.owner_seen) > ttl
    }

    /// Mark the session deleted (streams end with an error event).
    fn mark_deleted(&mut self) {
        self.deleted = true;
    }

    /// Id of the newest event viewers may see (0 before any).
    pub fn latest_id(&self) -> u64 {
        self.history.latest_id()
    }

    /// A viewer that has event `id`, which this session has not reached yet, may
    /// wait for it: the session was restored behind what the previous process sent
    /// (see `live::persist`), is going on, and `id` is within reach.
    pub fn may_wait_for(&self, id: u64) -> bool {
        id <= self.resume_horizon
            && (self.state == SessionState::Running || self.stepping || self.history.holds_back())
    }

    /// Running wall time so far.
    pub fn elapsed(&self, now: Instant) -> Duration {
        self.elapsed_before + self.running_since.map_or(Duration::ZERO, |since| now - since)
    }

    /// Bytes of the kept history.
    pub fn history_bytes(&self) -> usize {
        self.history.bytes()
    }

    fn push(&mut self, kind: Kind, frame: Arc<Frame>) {
        self.trace.push(TracePoint::of(&frame.progress));
        self.history.push(Shown { kind, frame: frame.clone() });
        self.latest = frame;
    }

    /// Take a frame's record checkpoints.
    fn keep_checkpoints(&mut self, taken: &Taken) {
        self.checkpoints.extend_from_slice(&taken.checkpoints);
        self.latest_checkpoint = taken.at;
    }

    fn set_state(&mut self, state: SessionState, now: Instant) {
        let running = state == SessionState::Running;
        if running && self.running_since.is_none() {
            self.running_since = Some(now);
            self.next_frame_at = now;
        }
        if !running && let Some(since) = self.running_since.take() {
            self.elapsed_before += now - since;
        }
        self.state = state;
    }
}

/// Who a session is: made fresh, or read back from its record.
struct Identity {
    id: Uuid,
    token: String,
    created_at_ms: u64,
}

impl Live {
    /// Live data whose newest frame is `latest` (checkpoint `at`), with no event
    /// kept and `next_id` the id of the next one; idle until told otherwise.
    #[allow(clippy::too_many_arguments)]
    fn at(
        latest: Arc<Frame>,
        at: Checkpoint,
        checkpoints: Vec<Checkpoint>,
        trace: RunTrace,
        pacing: Pacing,
        generation: u64,
        next_id: u64,
        limits: HistoryLimits,
        now: Instant,
    ) -> Live {
        Live {
            state: SessionState::Idle,
            generation,
            history: EventLog::new(next_id, LogLimits { events: limits.events, bytes: limits.bytes }),
            clients: Vec::new(),
            stepping: false,
            next_frame_at: now,
            latest,
            elapsed_before: Duration::ZERO,
            running_since: None,
            deleted: false,
            version: 0,
            owner_seen: now,
            checkpoints,
            latest_checkpoint: at,
            pacing,
            trace,
            boundary_moved: false,
            resume_horizon: 0,
        }
    }
}

/// One run and everything about watching it.
pub struct Session {
    id: Uuid,
    token: String,
    spec: Spec,
    config: AnnealConfig,
    /// Creation time, ms since the Unix epoch.
    created_at_ms: u64,
    /// Steps between record checkpoints.
    checkpoint_every: u64,
    engine: Mutex<Engine>,
    live: Mutex<Live>,
    /// Woken after every appended event and state change.
    notify: Arc<Notify>,
    /// What the session anneals in one line (the kind's description), for the server log.
    label: OnceLock<String>,
    /// Where the session's record goes (a writer of `Store::none` keeps nothing).
    store: Arc<StoreWriter>,
    /// The record's `spec` text, made once.
    stored_spec: String,
    /// The last store write failed (reported once, until one succeeds).
    store_failing: AtomicBool,
    /// The schedule's temperature over the whole run, for the chart (made once).
    curve: Option<ScheduleCurve>,
}

/// How much event history a session keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryLimits {
    /// Most events.
    pub events: usize,
    /// Most bytes of events (their JSON with both drawings); at least one event is
    /// always kept.
    pub bytes: usize,
}

/// The answer to a control call.
#[derive(Clone, Debug, Serialize)]
pub struct ControlReply {
    /// The session.
    pub session_id: Uuid,
    /// Its state after the call.
    pub state: SessionState,
    /// Its step after the call.
    pub step: u64,
    /// A manual step that stopped before `n` steps: why ("deadline").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_early: Option<&'static str>,
}

impl Session {
    /// A session at step 0, idle. `run` must be built from `spec` and `config`.
    /// Its record goes to `store` (call [`Session::persist`] once it is registered).
    pub fn new(
        spec: Spec,
        config: AnnealConfig,
        pacing: Pacing,
        run: Run,
        history_limits: HistoryLimits,
        store: Arc<StoreWriter>,
    ) -> Self {
        let now = Instant::now();
        let mut engine = Engine::new(run);
        let latest = engine.frame(1, Duration::ZERO);
        let start = engine.run.checkpoint();
        let mut trace = RunTrace::new(TRACE_POINTS);
        trace.push(TracePoint::of(&latest.progress));
        let created_at_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        let identity =
            Identity { id: Uuid::new_v4(), token: Uuid::new_v4().simple().to_string(), created_at_ms };
        let live = Live::at(latest, start, vec![start], trace, pacing, 1, 1, history_limits, now);
        Session::assemble(identity, spec, config, engine, live, store)
    }

    /// A session rebuilt from its stored record: the run is re-run from step 0 to
    /// the record's step (the trace and the replay record are rebuilt on the way,
    /// a frame every `steps_per_event` steps), and the state digest there must
    /// match the record's. Its id, token, generation, pacing and state are the
    /// record's, and its event ids go on from the record's next id. Blocking (the
    /// replay runs here; it gives up, with an error, at the first frame boundary
    /// after `stopping` says so); `run` must be built from the record's spec at step 0.
    pub fn restore(
        record: &SessionRecord,
        stored: StoredSpec,
        run: Run,
        history_limits: HistoryLimits,
        store: Arc<StoreWriter>,
        stopping: &(dyn Fn() -> bool + Sync),
    ) -> Result<Session, String> {
        let now = Instant::now();
        let generation = record.generation.max(1);
        let pacing = persist::pacing_of(record.steps_per_event, record.max_events_per_sec);
        let mut engine = Engine::new(run);
        let start = engine.run.checkpoint();
        let mut trace = RunTrace::new(TRACE_POINTS);
        trace.push(TracePoint::of(&engine.run.progress()));
        if record.step > engine.run.total_steps() {
            return Err(format!(
                "its step {} is past the run's {} steps",
                record.step,
                engine.run.total_steps()
            ));
        }
        let chunk = match pacing.steps_per_event {
            StepsPerEvent::Steps(n) => n.max(1),
            StepsPerEvent::Max => (record.step / TRACE_POINTS as u64).max(1),
        };
        while engine.run.steps_done() < record.step {
            if stopping() {
                return Err(format!("the server stopped at step {} of the replay", engine.run.steps_done()));
            }
            let ran = engine.advance(chunk.min(record.step - engine.run.steps_done()));
            if ran == 0 {
                break;
            }
            trace.push(TracePoint::of(&engine.run.progress()));
        }
        if engine.run.steps_done() != record.step {
            return Err(format!(
                "the replay stopped at step {}, before the stored step {}",
                engine.run.steps_done(),
                record.step
            ));
        }
        let taken = engine.frame_with_checkpoints(generation, Duration::ZERO);
        let digest = persist::digest_text(&taken.at);
        if digest != record.state_digest {
            return Err(format!(
                "the replay's state digest at step {} is {digest}, the store's {}",
                record.step, record.state_digest
            ));
        }
        let mut checkpoints = vec![start];
        checkpoints.extend_from_slice(&taken.checkpoints);
        let state = if engine.run.is_complete() {
            SessionState::Complete
        } else {
            persist::session_state(record.state)
        };
        let next_id = record.next_event_id.max(1);
        let mut live = Live::at(
            taken.frame,
            taken.at,
            checkpoints,
            trace,
            pacing,
            generation,
            next_id,
            history_limits,
            now,
        );
        live.set_state(state, now);
        live.resume_horizon = (next_id - 1).saturating_add(history_limits.events.max(1) as u64);
        let identity = Identity {
            id: record.id,
            token: record.control_token.clone(),
            created_at_ms: record.created_at_ms,
        };
        Ok(Session::assemble(identity, stored.spec, stored.config, engine, live, store))
    }

    fn assemble(
        identity: Identity,
        spec: Spec,
        config: AnnealConfig,
        engine: Engine,
        live: Live,
        store: Arc<StoreWriter>,
    ) -> Session {
        let stored_spec = StoredSpec { spec: spec.clone(), config: config.clone() }.to_json();
        let curve = schedule_curve(&config, engine.run.temperatures());
        Session {
            id: identity.id,
            token: identity.token,
            spec,
            config,
            created_at_ms: identity.created_at_ms,
            checkpoint_every: engine.every,
            engine: Mutex::new(engine),
            live: Mutex::new(live),
            notify: Arc::new(Notify::new()),
            label: OnceLock::new(),
            store,
            stored_spec,
            store_failing: AtomicBool::new(false),
            curve,
        }
    }

    /// The schedule's temperature over the whole run, if it has one schedule.
    pub fn schedule_curve(&self) -> Option<&ScheduleCurve> {
        self.curve.as_ref()
    }

    /// Name what the session anneals for the server log (the kind's own description); the first name sticks.
    pub fn set_label(&self, label: String) {
        let _ = self.label.set(label);
    }

    /// What the session anneals in one line, or its kind's name when no label was set.
    pub fn label(&self) -> &str {
        self.label.get().map_or(self.problem(), String::as_str)
    }

    /// The random v4 id.
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// What is annealed.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// The kind's name.
    pub fn problem(&self) -> &str {
        &self.spec.problem
    }

    /// How it is annealed.
    pub fn config(&self) -> &AnnealConfig {
        &self.config
    }

    /// How fast it is shown now.
    pub fn pacing(&self) -> Pacing {
        self.live().pacing
    }

    /// Change how fast the running stream shows the run, with no new session: the
    /// next frame covers the new step count, and a frame already scheduled at the old
    /// rate is brought forward to the new one, so a change shows within one new
    /// interval. Any state; returns the pacing now in force.
    pub fn set_pacing(&self, pacing: Pacing) -> Pacing {
        let now = Instant::now();
        let mut live = self.live();
        live.pacing = pacing;
        live.boundary_moved = true;
        let sooner = now + live.frame_interval();
        if live.next_frame_at > sooner {
            live.next_frame_at = sooner;
        }
        self.submit(&live);
        drop(live);
        self.notify.notify_waiters();
        pacing
    }

    /// Creation time, seconds since the Unix epoch.
    pub fn created_at(&self) -> u64 {
        self.created_at_ms / 1000
    }

    /// A future that resolves at the next appended event or state change. Create it
    /// (and `enable` it) before checking the state, so no wake-up is missed.
    pub fn notified(&self) -> tokio::sync::futures::Notified<'_> {
        self.notify.notified()
    }

    /// The signal [`Session::notified`] waits on, for a stream to hold.
    pub fn signal(&self) -> Arc<Notify> {
        self.notify.clone()
    }

    /// The session is deleted or expired: mark it so and wake its streams, which
    /// end with an error event. The one way a session ends.
    pub fn end(&self) {
        self.live().mark_deleted();
        self.wake();
    }

    /// Wake every stream of this session (after a change made through [`Live`]).
    pub fn wake(&self) {
        self.notify.notify_waiters();
    }

    /// The control token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Whether `presented` is this session's token (compared in constant time).
    pub fn token_matches(&self, presented: &str) -> bool {
        same_token(&self.token, presented)
    }

    /// The live data, locked. Never hold the guard across an `.await`; outside
    /// `live/`, read the value views of `live::view` instead.
    pub(in crate::live) fn live(&self) -> MutexGuard<'_, Live> {
        lock(&self.live)
    }

    /// The owner (or an open stream) was here: the idle TTL starts again.
    pub fn touch(&self) {
        self.live().owner_seen = Instant::now();
    }

    /// Start, pause or resume; 409 when the transition does not apply.
    pub fn control(&self, action: Control) -> Result<ControlReply, LiveError> {
        let now = Instant::now();
        let mut live = self.live();
        let next = match (action, live.state) {
            (Control::Start, SessionState::Idle | SessionState::Paused) => SessionState::Running,
            (Control::Resume, SessionState::Paused) => SessionState::Running,
            (Control::Pause, SessionState::Running) => SessionState::Paused,
            (_, state) => return Err(LiveError::InvalidTransition { action: action.name(), state }),
        };
        live.set_state(next, now);
        live.version += 1;
        live.boundary_moved |= next == SessionState::Running;
        self.submit(&live);
        let reply = ControlReply {
            session_id: self.id,
            state: next,
            step: live.latest.progress.snapshot.step,
            stopped_early: None,
        };
        drop(live);
        self.notify.notify_waiters();
        Ok(reply)
    }

    /// Back to step 0 (any state -> idle), as a new run generation. Blocking: it
    /// waits for a frame in progress; call it from a blocking thread.
    pub fn reset(&self) -> ControlReply {
        let mut engine = lock(&self.engine);
        engine.run.reset();
        engine.pending.clear();
        let now = Instant::now();
        let generation = {
            let mut live = self.live();
            live.generation += 1;
            live.set_state(SessionState::Idle, now);
            live.version += 1;
            live.elapsed_before = Duration::ZERO;
            live.generation
        };
        let taken = engine.frame_with_checkpoints(generation, Duration::ZERO);
        let mut live = self.live();
        live.trace.clear();
        live.checkpoints = vec![taken.at];
        live.latest_checkpoint = taken.at;
        let published = live.history.latest_id();
        live.push(Kind::Progress, taken.frame);
        self.persist_pushed(live, published, true);
        drop(engine);
        self.notify.notify_waiters();
        ControlReply { session_id: self.id, state: SessionState::Idle, step: 0, stopped_early: None }
    }

    /// The replay record of the run so far: step 0, every `checkpoint_every` steps
    /// and the latest frame's step, from the checkpoints taken as the run went.
    pub fn record(&self) -> ReplayRecord<Spec> {
        let live = self.live();
        let mut checkpoints = live.checkpoints.clone();
        if checkpoints.last().map(|c| c.step) != Some(live.latest_checkpoint.step) {
            checkpoints.push(live.latest_checkpoint);
        }
        drop(live);
        ReplayRecord::new(self.spec.clone(), self.config.clone(), self.checkpoint_every, checkpoints)
    }
}
