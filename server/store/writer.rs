//! `StoreWriter`: the cheap write path the live server calls as frames go by.
//!
//! Handing in a change costs a check of its values and one map insert under a
//! short lock; no I/O happens on the caller's thread, which may be the async
//! reactor. A background thread writes what is dirty in one transaction at most
//! once per *window* (default one second): the first change after a quiet spell
//! starts the window, and every change to the same record within it replaces the
//! previous one. A session stepping at 20 frames a second therefore costs one
//! write a second, and a crash loses at most the last window (plus the write in
//! flight).
//!
//! Each change gets a sequence number; [`StoreWriter::written`] is the newest
//! number known to be on disk. [`StoreWriter::flush`] writes at once and waits;
//! [`StoreWriter::close`] (or dropping the writer, the drop guard) flushes and
//! stops the thread, which is what a graceful shutdown calls.
//!
//! A failed write (disk full, file removed) is not lost: its changes go back in
//! the queue, unless newer ones for the same records arrived meanwhile, and are
//! tried again a window later. The failure is kept, and returned by `flush` and
//! `close`, until a write succeeds.
//!
//! Changes to one record are written in the order they were handed in. A caller
//! that also writes through [`Store`] directly should not do so for records it
//! hands to the writer: a queued older change could land after the direct one.
//!
//! The queue is a `std::sync::Mutex`, never held across I/O or `.await`, and a
//! `Condvar` that wakes the thread and the flushers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::change::{Change, Key};
use super::error::StoreError;
use super::file::check_change;
use super::handle::Store;
use super::records::{ExperimentRecord, RoomRecord, SessionRecord, TaskRow};

/// How long changes may wait before they are written: DESIGN.md's "at most about
/// a second stale".
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(1);

/// The coalescing writer (see the module doc).
pub struct StoreWriter {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    /// The store written to, for reads at start.
    store: Store,
    /// Most bytes the store's files may take before new work is refused
    /// ([`StoreWriter::check_quota`]) and appends are dropped.
    quota: AtomicU64,
}

/// The store quota when none is given (`kiln serve --store-quota`): 1 GiB.
pub const DEFAULT_QUOTA: u64 = 1 << 30;

struct Shared {
    /// The store file, for error messages (empty for `Store::none`).
    path: PathBuf,
    queue: Mutex<Queue>,
    /// Wakes the thread (new change, flush, close) and the waiters (a write ended).
    changed: Condvar,
}

#[derive(Default)]
struct Queue {
    /// Per record, the newest change not yet written.
    dirty: HashMap<Key, Change>,
    /// When the oldest change in `dirty` arrived: its window ends one window later.
    first_dirty_at: Option<Instant>,
    /// Sequence number of the newest change handed in.
    submitted: u64,
    /// Every change numbered up to this is on disk (or replaced by a newer one that is).
    written: u64,
    /// The newest sequence number a write has been tried for, successful or not.
    attempted: u64,
    /// Transactions committed.
    batches: u64,
    /// The last write's failure, until a write succeeds.
    failure: Option<StoreError>,
    /// Someone waits in `flush`: write now, without waiting out the window.
    flush_wanted: bool,
    /// `close` or drop: write what is left and stop.
    closing: bool,
    /// The thread has stopped; nobody will write any more.
    stopped: bool,
}

impl StoreWriter {
    /// A writer for `store` that writes at most once per `window`. For
    /// [`Store::none`] no thread is started and changes are dropped at once.
    pub fn spawn(store: Store, window: Duration) -> StoreWriter {
        let shared = Arc::new(Shared {
            path: store.path().unwrap_or_default(),
            queue: Mutex::new(Queue::default()),
            changed: Condvar::new(),
        });
        let thread = store.is_persistent().then(|| {
            let (shared, store) = (shared.clone(), store.clone());
            std::thread::Builder::new()
                .name("kiln-store".into())
                .spawn(move || write_loop(&store, window, &shared))
                .expect("the OS could not start the store's writer thread")
        });
        StoreWriter { shared, thread, store, quota: AtomicU64::new(DEFAULT_QUOTA) }
    }

    /// Set the quota in bytes (see [`StoreWriter::check_quota`]).
    pub fn set_quota(&self, bytes: u64) {
        self.quota.store(bytes, Ordering::Relaxed);
    }

    /// The quota in bytes.
    pub fn quota(&self) -> u64 {
        self.quota.load(Ordering::Relaxed)
    }

    /// [`StoreError::Full`] once the store's files take the quota or more: the
    /// caller refuses new work. Records of what already runs are still written
    /// (they replace older ones), except appended task rows, which are refused.
    pub fn check_quota(&self) -> Result<(), StoreError> {
        let (bytes, quota) = (self.store.bytes(), self.quota());
        if bytes < quota {
            return Ok(());
        }
        Err(StoreError::Full { path: self.shared.path.clone(), bytes, quota })
    }

    /// Hands in a change to be written within the window; returns its sequence
    /// number. A change whose values cannot be stored is refused here, at once,
    /// and so is an appended task once the store is at its quota.
    pub fn submit(&self, change: Change) -> Result<u64, StoreError> {
        check_change(&change)?;
        if matches!(change, Change::PutTask(_)) && self.thread.is_some() {
            self.check_quota()?;
        }
        let mut q = self.shared.lock();
        q.submitted += 1;
        let seq = q.submitted;
        if self.thread.is_none() {
            q.written = seq;
            return Ok(seq);
        }
        q.dirty.insert(change.key(), change);
        if q.first_dirty_at.is_none() {
            q.first_dirty_at = Some(Instant::now());
            self.shared.changed.notify_all();
        }
        Ok(seq)
    }

    /// [`StoreWriter::submit`] of a session put.
    pub fn upsert_session(&self, record: SessionRecord) -> Result<u64, StoreError> {
        self.submit(Change::PutSession(record))
    }

    /// [`StoreWriter::submit`] of a session removal.
    pub fn remove_session(&self, id: Uuid) -> Result<u64, StoreError> {
        self.submit(Change::RemoveSession(id))
    }

    /// [`StoreWriter::submit`] of a room put.
    pub fn upsert_room(&self, record: RoomRecord) -> Result<u64, StoreError> {
        self.submit(Change::PutRoom(record))
    }

    /// [`StoreWriter::submit`] of a room removal.
    pub fn remove_room(&self, code: &str) -> Result<u64, StoreError> {
        self.submit(Change::RemoveRoom(code.to_owned()))
    }

    /// [`StoreWriter::submit`] of an experiment put.
    pub fn upsert_experiment(&self, record: ExperimentRecord) -> Result<u64, StoreError> {
        self.submit(Change::PutExperiment(record))
    }

    /// [`StoreWriter::submit`] of a finished task appended.
    pub fn put_task(&self, row: TaskRow) -> Result<u64, StoreError> {
        self.submit(Change::PutTask(row))
    }

    /// [`StoreWriter::submit`] of an experiment removal.
    pub fn remove_experiment(&self, id: Uuid) -> Result<u64, StoreError> {
        self.submit(Change::RemoveExperiment(id))
    }

    /// The store this writer writes to (to list what to restore at start; write
    /// through the writer, see the module doc).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Whether changes reach a file (false for a writer of [`Store::none`]).
    pub fn is_persistent(&self) -> bool {
        self.thread.is_some()
    }

    /// The newest sequence number known to be on disk.
    pub fn written(&self) -> u64 {
        self.shared.lock().written
    }

    /// How many transactions the writer has committed.
    pub fn batches(&self) -> u64 {
        self.shared.lock().batches
    }

    /// Waits, up to `timeout`, until change `seq` is on disk, without hurrying
    /// the writer; true if it is.
    pub fn wait_written(&self, seq: u64, timeout: Duration) -> bool {
        let q = self.shared.lock();
        let (q, _) = self
            .shared
            .changed
            .wait_timeout_while(q, timeout, |q| q.written < seq && !q.stopped)
            .unwrap_or_else(PoisonError::into_inner);
        q.written >= seq
    }

    /// Writes everything handed in so far, now, and waits for it. Returns the
    /// write's error if it failed (the changes stay queued for the next try).
    pub fn flush(&self) -> Result<(), StoreError> {
        let mut q = self.shared.lock();
        let target = q.submitted;
        if q.written >= target {
            return Ok(());
        }
        q.flush_wanted = true;
        self.shared.changed.notify_all();
        let q = self
            .shared
            .changed
            .wait_while(q, |q| q.written < target && q.attempted < target && !q.stopped)
            .unwrap_or_else(PoisonError::into_inner);
        q.outcome(target, &self.shared.path)
    }

    /// Flushes, stops the thread and reports whether everything reached the file.
    pub fn close(mut self) -> Result<(), StoreError> {
        self.stop()
    }

    fn stop(&mut self) -> Result<(), StoreError> {
        let Some(thread) = self.thread.take() else { return Ok(()) };
        {
            let mut q = self.shared.lock();
            q.closing = true;
            self.shared.changed.notify_all();
        }
        // A thread that panicked has marked the queue stopped; `outcome` reports what it left unwritten.
        let _ = thread.join();
        let q = self.shared.lock();
        q.outcome(q.submitted, &self.shared.path)
    }
}

impl Drop for StoreWriter {
    /// The drop guard: a writer that goes away flushes first (errors are lost
    /// here; call [`StoreWriter::close`] to see them).
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

impl Shared {
    /// The queue. No code panics while holding it; if some did, the queue is
    /// still consistent (every field is updated in one step), so poisoning is ignored.
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Queue {
    /// Whether change `target` is on disk, and if not, why.
    fn outcome(&self, target: u64, path: &Path) -> Result<(), StoreError> {
        if self.written >= target {
            Ok(())
        } else if let Some(failure) = &self.failure {
            Err(failure.clone())
        } else {
            Err(StoreError::Write {
                path: path.to_owned(),
                detail: "the store's writer thread stopped before writing".into(),
            })
        }
    }
}

/// Marks the queue stopped when the thread ends, however it ends, so no waiter hangs.
struct StoppedOnExit<'a>(&'a Shared);

impl Drop for StoppedOnExit<'_> {
    fn drop(&mut self) {
        let mut q = self.0.lock();
        q.stopped = true;
        self.0.changed.notify_all();
    }
}

/// The writer thread: wait for a change, wait out its window (or a flush or
/// close), write everything dirty in one transaction, repeat; on close, write
/// what is left and end.
fn write_loop(store: &Store, window: Duration, shared: &Shared) {
    let _guard = StoppedOnExit(shared);
    let mut q = shared.lock();
    loop {
        if q.dirty.is_empty() {
            q.flush_wanted = false;
        }
        while q.dirty.is_empty() && !q.closing {
            q = shared.changed.wait(q).unwrap_or_else(PoisonError::into_inner);
        }
        if q.dirty.is_empty() {
            return;
        }
        let due = q.first_dirty_at.unwrap_or_else(Instant::now) + window;
        while !q.closing && !q.flush_wanted {
            let now = Instant::now();
            if now >= due {
                break;
            }
            q = shared.changed.wait_timeout(q, due - now).unwrap_or_else(PoisonError::into_inner).0;
        }
        let batch: Vec<Change> = q.dirty.drain().map(|(_, change)| change).collect();
        let seq = q.submitted;
        q.first_dirty_at = None;
        q.flush_wanted = false;
        drop(q);

        let result = store.apply(&batch);

        q = shared.lock();
        q.attempted = seq;
        match result {
            Ok(()) => {
                q.written = seq;
                q.batches += 1;
                q.failure = None;
            }
            Err(error) => {
                for change in batch {
                    q.dirty.entry(change.key()).or_insert(change);
                }
                q.first_dirty_at.get_or_insert_with(Instant::now);
                q.failure = Some(error);
                if q.closing {
                    shared.changed.notify_all();
                    return;
                }
            }
        }
        shared.changed.notify_all();
    }
}
