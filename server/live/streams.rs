//! The server-wide registry of open streams: every SSE stream of every kind
//! (session, room, experiment) holds a [`StreamTicket`] while its response body
//! lives, so one place knows how many are open. `/health` reports the counts; a
//! connection budget caps them here.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

/// The kinds of stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamKind {
    /// A session's stream (`/api/sa/{id}/stream`).
    Session,
    /// A room's stream (`/api/rooms/{code}/stream`).
    Room,
    /// An experiment's stream (`/api/experiments/{id}/stream`).
    Experiment,
}

/// The open streams of one server: a handle, cheap to clone.
#[derive(Clone, Default)]
pub struct StreamRegistry {
    counts: Arc<[AtomicUsize; 3]>,
}

/// How many streams are open, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StreamCounts {
    /// Session streams.
    pub session: usize,
    /// Room streams.
    pub room: usize,
    /// Experiment streams.
    pub experiment: usize,
    /// All of them.
    pub total: usize,
}

/// One open stream's place in the registry; dropping it frees the place.
pub struct StreamTicket {
    counts: Arc<[AtomicUsize; 3]>,
    kind: StreamKind,
}

impl StreamRegistry {
    /// Count one more open stream of `kind` until the ticket is dropped.
    pub fn open(&self, kind: StreamKind) -> StreamTicket {
        self.counts[kind as usize].fetch_add(1, Ordering::Relaxed);
        StreamTicket { counts: self.counts.clone(), kind }
    }

    /// The open streams now.
    pub fn counts(&self) -> StreamCounts {
        let get = |k: StreamKind| self.counts[k as usize].load(Ordering::Relaxed);
        let (session, room, experiment) =
            (get(StreamKind::Session), get(StreamKind::Room), get(StreamKind::Experiment));
        StreamCounts { session, room, experiment, total: session + room + experiment }
    }
}

impl Drop for StreamTicket {
    fn drop(&mut self) {
        self.counts[self.kind as usize].fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_counts_while_it_lives() {
        let registry = StreamRegistry::default();
        let room = registry.open(StreamKind::Room);
        let session = registry.open(StreamKind::Session);
        assert_eq!(registry.counts(), StreamCounts { session: 1, room: 1, experiment: 0, total: 2 });
        drop(room);
        drop(session);
        assert_eq!(registry.counts(), StreamCounts::default());
    }
}
