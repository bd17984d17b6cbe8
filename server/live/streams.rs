//! The server-wide registry of open streams: every SSE stream of every kind
//! (session, room, experiment) holds a [`StreamTicket`] while its response body
//! lives, so one place knows how many are open. `/health` reports the counts, and
//! the stream budgets are enforced here ([`super::budget`]): at most
//! [`Budgets::streams`] open streams server-wide and [`Budgets::streams_per_client`]
//! per client address, whatever their kind, with the teacher's share kept. A room
//! stream is as cheap to open as a session stream, so both count alike.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

use super::budget::{Budgets, Caller, Hold, Tally};
use super::error::LiveError;

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
#[derive(Clone)]
pub struct StreamRegistry {
    counts: Arc<[AtomicUsize; 3]>,
    /// Open streams per client address, and in all.
    clients: Tally<IpAddr>,
    /// Most open streams in all.
    cap: usize,
    /// Most open streams of one client.
    per_client: usize,
}

impl Default for StreamRegistry {
    /// A registry with the default budgets.
    fn default() -> Self {
        StreamRegistry::new(&Budgets::default())
    }
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
    _place: Hold<IpAddr>,
}

impl StreamRegistry {
    /// A registry enforcing the stream budgets of `budgets`.
    pub fn new(budgets: &Budgets) -> Self {
        StreamRegistry {
            counts: Arc::default(),
            clients: Tally::default(),
            cap: budgets.streams,
            per_client: budgets.streams_per_client,
        }
    }

    /// Count one more open stream of `kind` for `caller` until the ticket is
    /// dropped; 429 when the caller or the server is at its stream budget.
    pub fn open(&self, kind: StreamKind, caller: &Caller) -> Result<StreamTicket, LiveError> {
        let place = self
            .clients
            .take(caller, caller.addr, self.per_client, self.cap)
            .map_err(|o| o.refusal("open streams"))?;
        self.counts[kind as usize].fetch_add(1, Ordering::Relaxed);
        Ok(StreamTicket { counts: self.counts.clone(), kind, _place: place })
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

    use crate::live::budget::ClientAddr;

    #[test]
    fn a_ticket_counts_while_it_lives() {
        let registry = StreamRegistry::default();
        let local = Caller::new(ClientAddr::LOCAL, false);
        let room = registry.open(StreamKind::Room, &local).expect("room stream");
        let session = registry.open(StreamKind::Session, &local).expect("session stream");
        assert_eq!(registry.counts(), StreamCounts { session: 1, room: 1, experiment: 0, total: 2 });
        drop(room);
        drop(session);
        assert_eq!(registry.counts(), StreamCounts::default());
    }

    #[test]
    fn one_client_gets_its_budget_of_streams_of_every_kind_and_no_more() {
        let budgets = Budgets { streams: 100, streams_per_client: 3, ..Budgets::default() };
        let registry = StreamRegistry::new(&budgets);
        let student = Caller::new(ClientAddr("127.0.0.2".parse().expect("ip")), false);
        let other = Caller::new(ClientAddr("127.0.0.3".parse().expect("ip")), false);
        let held = [StreamKind::Room, StreamKind::Session, StreamKind::Experiment]
            .map(|kind| registry.open(kind, &student).expect("under the budget"));
        assert!(matches!(registry.open(StreamKind::Room, &student), Err(LiveError::TooMany(_))));
        assert!(registry.open(StreamKind::Room, &other).is_ok(), "another client still fits");
        drop(held);
        assert!(registry.open(StreamKind::Room, &student).is_ok(), "closed streams free the budget");
    }
}
