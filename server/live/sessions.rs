//! `Sessions`: the in-memory session manager (create, get, list, delete), its
//! limits, open-stream accounting, and the idle-TTL purge task.
//!
//! Modelled on mini-redis's `Db`: a cheap-to-clone handle around an `Arc` of shared
//! state, a `std::sync::Mutex` around a plain `HashMap` (never held across an
//! `.await`, and never while a session's stepping lock is wanted), and a
//! background purge task that stops with the server's shutdown signal.
//!
//! Budgets ([`super::budget`]): a client may hold [`Budgets::sessions_per_client`]
//! live sessions and [`Budgets::viewers_per_client`] streams of one session, and
//! students together fill at most their share of [`Limits::max_sessions`]; the
//! teacher's requests always fit.
//!
//! Lock order: the registry, then a session's `live` data. Nothing takes the
//! registry while holding a session lock.
//!
//! Persistence (DESIGN.md section 8): the manager hands every session's record to
//! the store's coalescing writer (on create, and the sessions themselves on every
//! change; see `live::persist`), removes it when a session is deleted or expires,
//! and at start rebuilds the stored sessions with [`Sessions::restore`]. The server
//! answers while it does: [`Sessions::expect`] first marks every stored id as being
//! rebuilt, so a request for one gets [`LiveError::Restoring`] (or waits, with
//! [`Sessions::get_restored`]) rather than "unknown", and a replay that takes
//! minutes (a live session may hold 10^8 steps) delays no other session.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tokio::sync::{Notify, watch};
use uuid::Uuid;

use super::budget::{Budgets, Caller, Hold, Tally};
use super::error::LiveError;
use super::persist::StoredSpec;
use super::session::{HistoryLimits, Session, SessionState, lock};
use super::sse::{Feed, Follower};
use super::streams::{StreamKind, StreamRegistry};
use crate::kinds::{Registry as Kinds, Resolved};
use crate::store::{DEFAULT_WINDOW, SessionRecord, Store, StoreError, StoreWriter};

/// Limits of the session manager.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Most sessions at once.
    pub max_sessions: usize,
    /// Most open streams over all sessions.
    pub max_streams: usize,
    /// Most open streams of one session.
    pub max_streams_per_session: usize,
    /// A session with no open stream and no call of its owner for this long is
    /// removed (watchers' status polls do not keep it).
    pub session_ttl: Duration,
    /// Events kept per session for reconnecting viewers.
    pub history: usize,
    /// Bytes of events kept per session (at least one event is kept).
    pub history_bytes: usize,
    /// Silence after which a stream sends a keep-alive comment.
    pub keep_alive: Duration,
    /// What one client may hold (streams of every kind, sessions, viewers, rooms).
    pub budgets: Budgets,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_sessions: 64,
            max_streams: 4096,
            max_streams_per_session: 256,
            session_ttl: Duration::from_secs(30 * 60),
            history: 1024,
            history_bytes: 16 * 1024 * 1024,
            keep_alive: Duration::from_secs(15),
            budgets: Budgets::default(),
        }
    }
}

/// The session manager: a handle, cheap to clone.
#[derive(Clone)]
pub struct Sessions {
    shared: Arc<Shared>,
}

struct Shared {
    registry: Mutex<Registry>,
    limits: Limits,
    pool: Arc<rayon::ThreadPool>,
    started: Instant,
    stop: watch::Receiver<bool>,
    store: Arc<StoreWriter>,
    /// Woken whenever a session being rebuilt is done (rebuilt, refused or abandoned).
    restored: Notify,
    /// Every open stream of the server, of every kind.
    streams: StreamRegistry,
    /// Live sessions per client that created them.
    owners: Tally<IpAddr>,
    /// Open session streams per (session, client).
    viewers: Tally<(Uuid, IpAddr)>,
}

/// What became of one stored session at start.
#[derive(Clone, Debug, PartialEq)]
pub enum Restored {
    /// Rebuilt and checked: it goes on where it stopped.
    Session {
        /// Its id.
        id: Uuid,
        /// The step it was rebuilt to.
        step: u64,
        /// Its state.
        state: SessionState,
    },
    /// Not rebuilt (and removed from the store): why.
    Refused {
        /// Its id.
        id: Uuid,
        /// What was wrong, in words for the server log.
        reason: String,
    },
}

#[derive(Default)]
struct Registry {
    sessions: HashMap<Uuid, Arc<Session>>,
    /// Stored sessions not rebuilt yet, with their kind's name (see [`Sessions::expect`]).
    restoring: HashMap<Uuid, String>,
    open_streams: usize,
    /// Each session's place in its creator's budget (restored sessions have none).
    owned: HashMap<Uuid, Hold<IpAddr>>,
}

impl Registry {
    /// Sessions held or being rebuilt: what the session limit counts.
    fn held(&self) -> usize {
        self.sessions.len() + self.restoring.len()
    }
}

/// An open stream's place in the accounting; dropping it frees the place.
pub struct StreamSlot {
    shared: Arc<Shared>,
    session: Arc<Session>,
    /// The stream's client id.
    pub client_id: Uuid,
    _place: Hold<(Uuid, IpAddr)>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut registry = lock(&self.shared.registry);
        registry.open_streams -= 1;
        self.session.live().remove_viewer(self.client_id, Instant::now());
    }
}

impl Sessions {
    /// A manager with these limits that keeps nothing across restarts; `stop`
    /// turns true when the server shuts down.
    pub fn new(limits: Limits, stop: watch::Receiver<bool>) -> Self {
        Self::with_store(limits, stop, Arc::new(StoreWriter::spawn(Store::none(), DEFAULT_WINDOW)))
    }

    /// A manager whose sessions are written to `store` as they change.
    pub fn with_store(limits: Limits, stop: watch::Receiver<bool>, store: Arc<StoreWriter>) -> Self {
        let pool = rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("kiln-sessions-{i}"))
            .build()
            .map(Arc::new)
            .unwrap_or_else(|_| {
                Arc::new(rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("one thread"))
            });
        let shared = Shared {
            registry: Mutex::default(),
            pool,
            started: Instant::now(),
            stop,
            store,
            restored: Notify::new(),
            streams: StreamRegistry::new(&Budgets { streams: limits.max_streams, ..limits.budgets.clone() }),
            owners: Tally::default(),
            viewers: Tally::default(),
            limits,
        };
        Sessions { shared: Arc::new(shared) }
    }

    /// Every open stream of the server (sessions', rooms', experiments').
    pub fn streams(&self) -> &StreamRegistry {
        &self.shared.streams
    }

    /// A stream of `feed` with the server's keep-alive and stop signal, counted in
    /// the server's stream registry as a `kind` stream of `caller` while it lives;
    /// 429 when `caller` or the server is at its stream budget.
    pub fn follow<F: Feed>(
        &self,
        kind: StreamKind,
        caller: &Caller,
        feed: F,
    ) -> Result<Follower<F>, LiveError> {
        let ticket = self.shared.streams.open(kind, caller)?;
        Ok(Follower::new(feed, self.stop_signal(), self.shared.limits.keep_alive, ticket))
    }

    /// The limits.
    pub fn limits(&self) -> &Limits {
        &self.shared.limits
    }

    /// A receiver of the shutdown signal.
    pub fn stop_signal(&self) -> watch::Receiver<bool> {
        self.shared.stop.clone()
    }

    /// The server is shutting down.
    pub fn stopping(&self) -> bool {
        *self.shared.stop.borrow()
    }

    /// Time since the manager was made.
    pub fn uptime(&self) -> Duration {
        self.shared.started.elapsed()
    }

    /// Create a session from resolved params (their run already built), as the
    /// server's own machine; 429 over the session limit.
    pub fn create(&self, resolved: Resolved) -> Result<Arc<Session>, LiveError> {
        self.create_for(resolved, &Caller::LOCAL)
    }

    /// Create a session for `caller`; 429 over the session limit, the caller's
    /// share of it, or the caller's own budget of live sessions.
    pub fn create_for(&self, resolved: Resolved, caller: &Caller) -> Result<Arc<Session>, LiveError> {
        self.check_room_for(caller)?;
        let run = resolved.run.with_pool(self.shared.pool.clone());
        let session = Arc::new(Session::new(
            resolved.spec,
            resolved.config,
            resolved.pacing,
            run,
            self.history_limits(),
            self.shared.store.clone(),
        ));
        let mut registry = lock(&self.shared.registry);
        if registry.held() >= caller.share_of(self.shared.limits.max_sessions) {
            return Err(self.too_many_sessions());
        }
        let place = self.take_session_place(caller)?;
        registry.owned.insert(session.id(), place);
        registry.sessions.insert(session.id(), session.clone());
        drop(registry);
        session.persist();
        Ok(session)
    }

    fn history_limits(&self) -> HistoryLimits {
        HistoryLimits { events: self.shared.limits.history, bytes: self.shared.limits.history_bytes }
    }

    /// Mark the stored sessions of `records` as being rebuilt, before the server
    /// answers its first request: until [`Sessions::restore`] is done with one, a
    /// request for it gets [`LiveError::Restoring`], not "unknown session", and it
    /// counts against the session limit.
    pub fn expect(&self, records: &[SessionRecord]) {
        let mut registry = lock(&self.shared.registry);
        for record in records {
            let kind = StoredSpec::from_json(&record.spec).map(|s| s.spec.problem).unwrap_or_default();
            registry.restoring.insert(record.id, kind);
        }
    }

    /// Rebuild stored sessions (at start, while the server answers): each is re-run
    /// to its step on the session pool and checked against its state digest
    /// ([`Session::restore`]), and is served as soon as it is rebuilt; `done` hears
    /// of each as it finishes. One that cannot be rebuilt (an unknown kind, a spec
    /// that no longer builds, a digest that differs, no room under the session
    /// limit) is removed from the store and reported. A replay cut short because the
    /// server is stopping keeps its record for the next start and is not reported.
    /// Blocking: call it off the async reactor.
    pub fn restore(&self, kinds: &Kinds, records: Vec<SessionRecord>, done: impl Fn(Restored) + Sync) {
        let limits = self.history_limits();
        let store = &self.shared.store;
        let pool = &self.shared.pool;
        let stopping = || self.stopping();
        pool.install(|| {
            records.par_iter().for_each(|record| {
                let id = record.id;
                let rebuilt = StoredSpec::from_json(&record.spec).and_then(|stored| {
                    let run = kinds
                        .run_checked(&stored.spec, stored.config.clone())
                        .map_err(|e| format!("its run no longer builds: {}: {}", e.field, e.message))?
                        .with_pool(pool.clone());
                    Session::restore(record, stored, run, limits, store.clone(), &stopping)
                });
                let outcome = {
                    let mut registry = lock(&self.shared.registry);
                    registry.restoring.remove(&id);
                    match rebuilt {
                        Ok(_) if self.stopping() => None,
                        Ok(session) if registry.held() >= self.shared.limits.max_sessions => {
                            drop(session);
                            Some(Err(format!(
                                "the server's limit of {} sessions is reached",
                                self.shared.limits.max_sessions
                            )))
                        }
                        Ok(session) => {
                            let session = Arc::new(session);
                            registry.sessions.insert(id, session.clone());
                            Some(Ok(session))
                        }
                        Err(_) if self.stopping() => None,
                        Err(reason) => Some(Err(reason)),
                    }
                };
                self.shared.restored.notify_waiters();
                match outcome {
                    Some(Ok(session)) => {
                        let live = session.live();
                        let (step, state) = (live.latest().progress.snapshot.step, live.state());
                        drop(live);
                        done(Restored::Session { id, step, state });
                    }
                    Some(Err(reason)) => {
                        let _ = store.remove_session(id);
                        done(Restored::Refused { id, reason });
                    }
                    None => {}
                }
            })
        });
    }

    /// The store's writer (experiments write through it too).
    pub fn store(&self) -> &Arc<StoreWriter> {
        &self.shared.store
    }

    /// Write every record handed in so far to the store, now (a graceful shutdown).
    pub fn flush_store(&self) -> Result<(), StoreError> {
        self.shared.store.flush()
    }

    /// 429 early, before building a problem, when there is no room.
    pub fn check_room(&self) -> Result<(), LiveError> {
        self.check_room_for(&Caller::LOCAL)
    }

    /// 429 early, before building a problem, when there is no room for `caller`
    /// (the server's limit, the caller's share of it, or its own budget).
    pub fn check_room_for(&self, caller: &Caller) -> Result<(), LiveError> {
        if lock(&self.shared.registry).held() >= caller.share_of(self.shared.limits.max_sessions) {
            return Err(self.too_many_sessions());
        }
        drop(self.take_session_place(caller)?);
        Ok(())
    }

    /// One place in `caller`'s budget of live sessions.
    fn take_session_place(&self, caller: &Caller) -> Result<Hold<IpAddr>, LiveError> {
        self.shared
            .owners
            .take(caller, caller.addr, self.shared.limits.budgets.sessions_per_client, usize::MAX)
            .map_err(|o| o.refusal("live sessions (delete one, or let idle ones expire)"))
    }

    fn too_many_sessions(&self) -> LiveError {
        LiveError::TooMany(format!(
            "the server already has its maximum of {} sessions; delete one or wait for idle ones to expire",
            self.shared.limits.max_sessions
        ))
    }

    /// A session by id. Looking does not keep it alive: the owner's calls and open
    /// streams do ([`Session::touch`]).
    pub fn get(&self, id: Uuid) -> Result<Arc<Session>, LiveError> {
        let registry = lock(&self.shared.registry);
        match registry.sessions.get(&id) {
            Some(session) => Ok(session.clone()),
            None if registry.restoring.contains_key(&id) => Err(LiveError::Restoring(id)),
            None => Err(LiveError::UnknownSession(id)),
        }
    }

    /// [`Sessions::get`], but a session being rebuilt is waited for (until it is
    /// rebuilt or refused, or the server stops): what a stream asks, so a page
    /// that reconnects during a long restore simply connects late.
    pub async fn get_restored(&self, id: Uuid) -> Result<Arc<Session>, LiveError> {
        let mut stop = self.stop_signal();
        loop {
            // Registered before the look-up, so a rebuild finishing in between still wakes us.
            let notified = self.shared.restored.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match self.get(id) {
                Err(LiveError::Restoring(_)) if !self.stopping() => {}
                other => return other,
            }
            tokio::select! {
                _ = &mut notified => {}
                _ = stop.wait_for(|stopped| *stopped) => {}
            }
        }
    }

    /// The kind of a session held or being rebuilt (rooms show it).
    pub fn kind_of(&self, id: Uuid) -> Option<String> {
        let registry = lock(&self.shared.registry);
        match registry.sessions.get(&id) {
            Some(session) => Some(session.problem().to_string()),
            None => registry.restoring.get(&id).cloned(),
        }
    }

    /// Every session, oldest first.
    pub fn list(&self) -> Vec<Arc<Session>> {
        let mut all: Vec<_> = lock(&self.shared.registry).sessions.values().cloned().collect();
        all.sort_by_key(|s| (s.created_at(), s.id()));
        all
    }

    /// Number of sessions.
    pub fn count(&self) -> usize {
        lock(&self.shared.registry).sessions.len()
    }

    /// Number of open streams.
    pub fn open_streams(&self) -> usize {
        lock(&self.shared.registry).open_streams
    }

    /// Remove a session; its open streams end with an error event.
    pub fn delete(&self, id: Uuid) -> Result<(), LiveError> {
        let session = {
            let mut registry = lock(&self.shared.registry);
            registry.owned.remove(&id);
            registry.sessions.remove(&id).ok_or(LiveError::UnknownSession(id))?
        };
        session.end();
        let _ = self.shared.store.remove_session(id);
        Ok(())
    }

    /// Take a stream place for `session`, as the server's own machine; 429 over
    /// either stream limit.
    pub fn open_stream(&self, session: &Arc<Session>) -> Result<StreamSlot, LiveError> {
        self.open_stream_for(session, &Caller::LOCAL)
    }

    /// Take a stream place for `session` for `caller`; 429 over either stream
    /// limit or the caller's budget of viewers of one session.
    pub fn open_stream_for(&self, session: &Arc<Session>, caller: &Caller) -> Result<StreamSlot, LiveError> {
        let limits = &self.shared.limits;
        let place = self
            .shared
            .viewers
            .take(caller, (session.id(), caller.addr), limits.budgets.viewers_per_client, usize::MAX)
            .map_err(|o| o.refusal("viewers of this session"))?;
        let mut registry = lock(&self.shared.registry);
        if registry.open_streams >= limits.max_streams {
            return Err(LiveError::TooMany(format!(
                "the server already has its maximum of {} open streams",
                limits.max_streams
            )));
        }
        let mut live = session.live();
        if live.viewers().len() >= limits.max_streams_per_session {
            return Err(LiveError::TooMany(format!(
                "this session already has its maximum of {} viewers",
                limits.max_streams_per_session
            )));
        }
        let client_id = Uuid::new_v4();
        live.add_viewer(client_id, Instant::now());
        registry.open_streams += 1;
        drop(live);
        Ok(StreamSlot { shared: self.shared.clone(), session: session.clone(), client_id, _place: place })
    }

    /// Remove every session with no open stream whose owner has not called for
    /// longer than the TTL; returns how many.
    pub fn purge_idle(&self, now: Instant) -> usize {
        let ttl = self.shared.limits.session_ttl;
        let mut expired = Vec::new();
        let mut registry = lock(&self.shared.registry);
        registry.sessions.retain(|_, session| {
            let idle = session.live().idle_longer_than(ttl, now);
            if idle {
                expired.push(session.clone());
            }
            !idle
        });
        for session in &expired {
            registry.owned.remove(&session.id());
        }
        drop(registry);
        for session in &expired {
            session.end();
            let _ = self.shared.store.remove_session(session.id());
        }
        expired.len()
    }

    /// The purge task: checks a few times per TTL until the server stops.
    pub async fn purge_task(self) {
        let period =
            (self.shared.limits.session_ttl / 4).clamp(Duration::from_millis(20), Duration::from_secs(30));
        let mut stop = self.stop_signal();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(period) => {}
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
            self.purge_idle(Instant::now());
        }
    }
}
