//! How a session is kept in the store: its record from the live data, handed to
//! the coalescing writer on every change, and held back from viewers until on disk
//! when a frame is durable (see `live::persist`); the `impl Session` part that
//! persists, beside the types in `session.rs`.

use std::sync::MutexGuard;
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{Live, Session};
use crate::live::persist;
use crate::store::SessionRecord;

impl Session {
    /// The session's record as the store keeps it, from the live data.
    pub(super) fn store_record(&self, live: &Live) -> SessionRecord {
        let (steps_per_event, max_events_per_sec) = persist::stored_pacing(live.pacing);
        SessionRecord {
            id: self.id,
            spec: self.stored_spec.clone(),
            step: live.latest.progress.snapshot.step,
            state: persist::run_state(live.state),
            generation: live.generation,
            next_event_id: live.history.next_id(),
            control_token: self.token.clone(),
            steps_per_event,
            max_events_per_sec,
            room: None,
            created_at_ms: self.created_at_ms,
            updated_at_ms: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64),
            state_digest: persist::digest_text(&live.latest_checkpoint),
        }
    }

    /// Hand the session's record to the store's writer (written within its window).
    pub fn persist(&self) {
        let live = self.live();
        self.submit(&live);
    }

    /// Submit the record of `live` (locked, so records reach the writer in order).
    pub(super) fn submit(&self, live: &Live) {
        if let Err(e) = self.store.upsert_session(self.store_record(live)) {
            self.report_store(Err(e));
        }
    }

    /// Report a store failure once, until a write succeeds again.
    pub(super) fn report_store(&self, result: Result<(), crate::store::StoreError>) {
        match result {
            Ok(()) => self.store_failing.store(false, Ordering::Relaxed),
            Err(e) => {
                if !self.store_failing.swap(true, Ordering::Relaxed) {
                    eprintln!("kiln: session {}: not saved: {e}", self.id);
                }
            }
        }
    }

    /// After events were pushed with `live` locked: submit the record; if the frame
    /// is `durable` (or pacing or state moved since the last frame), hold the new
    /// events back from viewers until the record is on disk. Blocking when durable;
    /// call it with the stepping lock held, so no other frame is pushed meanwhile.
    pub(super) fn persist_pushed(
        &self,
        mut live: MutexGuard<'_, Live>,
        published_before: u64,
        durable: bool,
    ) {
        let durable = std::mem::take(&mut live.boundary_moved) || durable;
        self.submit(&live);
        if !durable || !self.store.is_persistent() {
            return;
        }
        live.history.publish_up_to(published_before);
        drop(live);
        self.report_store(self.store.flush());
        let mut live = self.live();
        live.history.publish_all();
    }
}
