//! The one bounded, id'd event log behind every stream that can be resumed (a
//! session's frames, an experiment's task events).
//!
//! Ids are contiguous and only grow (a log restored after a restart goes on from
//! the stored next id). The log keeps the newest events within a count and a byte
//! bound, always at least one. Events may be held back from readers: `published`
//! lags the newest id while the newest events are not to be shown yet (a session's
//! durable frame whose record is being written).
//!
//! A reader at `cursor` (the id of the last event it has) asks
//! [`EventLog::events_after`]: the published events after it, bounded in bytes so a
//! reader that stops reading costs one chunk, or [`After::Resync`] when the events
//! it misses are no longer kept.

use std::collections::VecDeque;

/// What an event costs in the log's byte bound.
pub trait Weighed {
    /// About how many bytes the event takes on the wire.
    fn wire_bytes(&self) -> usize;
}

/// How much a log keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogLimits {
    /// Most events kept (at least one is).
    pub events: usize,
    /// Most bytes of events kept (at least one event is).
    pub bytes: usize,
}

/// One kept event and its id.
#[derive(Clone, Debug)]
pub struct Entry<T> {
    /// The id (contiguous, from the log's first id).
    pub id: u64,
    /// The event.
    pub event: T,
}

/// What a reader at some cursor gets.
#[derive(Debug)]
pub enum After<T> {
    /// The events after the cursor (maybe none yet).
    Events(Vec<Entry<T>>),
    /// The events after the cursor are no longer all kept: start over from the state.
    Resync,
}

/// A bounded log of events with contiguous ids.
#[derive(Debug)]
pub struct EventLog<T> {
    events: VecDeque<Entry<T>>,
    next_id: u64,
    published: u64,
    bytes: usize,
    limits: LogLimits,
}

impl<T: Weighed + Clone> EventLog<T> {
    /// An empty log whose first event gets id `next_id` (at least 1).
    pub fn new(next_id: u64, limits: LogLimits) -> Self {
        let next_id = next_id.max(1);
        let limits = LogLimits { events: limits.events.max(1), bytes: limits.bytes };
        EventLog { events: VecDeque::new(), next_id, published: next_id - 1, bytes: 0, limits }
    }

    /// Append an event, published at once; returns its id. The oldest events go
    /// while the log is over either bound (the newest always stays).
    pub fn push(&mut self, event: T) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.published = id;
        self.bytes += event.wire_bytes();
        self.events.push_back(Entry { id, event });
        while self.events.len() > 1
            && (self.events.len() > self.limits.events || self.bytes > self.limits.bytes)
        {
            if let Some(old) = self.events.pop_front() {
                self.bytes -= old.event.wire_bytes();
            }
        }
        id
    }

    /// Show readers the events up to `id` only (ids above it are held back).
    pub fn publish_up_to(&mut self, id: u64) {
        self.published = id.min(self.next_id - 1);
    }

    /// Show readers every event.
    pub fn publish_all(&mut self) {
        self.published = self.next_id - 1;
    }

    /// Id of the newest event readers may see (0 before any).
    pub fn latest_id(&self) -> u64 {
        self.published
    }

    /// Id the next event gets.
    pub fn next_id(&self) -> u64 {
        self.next_id
    }

    /// Id of the oldest event kept (the next id when none is kept).
    pub fn oldest_id(&self) -> u64 {
        self.events.front().map_or(self.next_id, |e| e.id)
    }

    /// Some events are held back from readers.
    pub fn holds_back(&self) -> bool {
        self.published + 1 < self.next_id
    }

    /// The events a reader at `cursor` misses are no longer all kept.
    pub fn lost_after(&self, cursor: u64) -> bool {
        cursor < self.published && cursor + 1 < self.oldest_id()
    }

    /// The published events after `cursor`, oldest first, as many as fit in
    /// `max_bytes` (at least one), or [`After::Resync`] if some are no longer kept.
    pub fn events_after(&self, cursor: u64, max_bytes: usize) -> After<T> {
        if self.lost_after(cursor) {
            return After::Resync;
        }
        let skip = (cursor + 1).saturating_sub(self.oldest_id()) as usize;
        let mut bytes = 0;
        let published = self.published;
        let events = self
            .events
            .iter()
            .skip(skip)
            .take_while(|e| e.id <= published)
            .take_while(|e| {
                let first = bytes == 0;
                bytes += e.event.wire_bytes().max(1);
                first || bytes <= max_bytes
            })
            .cloned()
            .collect();
        After::Events(events)
    }

    /// The newest event kept, published or not.
    pub fn newest(&self) -> Option<&Entry<T>> {
        self.events.back()
    }

    /// How many events are kept.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// No event is kept.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Bytes of the kept events.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The kept events, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Entry<T>> {
        self.events.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct E(usize);

    impl Weighed for E {
        fn wire_bytes(&self) -> usize {
            self.0
        }
    }

    fn ids(after: After<E>) -> Vec<u64> {
        match after {
            After::Events(events) => events.iter().map(|e| e.id).collect(),
            After::Resync => panic!("resync"),
        }
    }

    #[test]
    fn a_reader_gets_what_follows_its_cursor_and_a_resync_once_that_is_gone() {
        let mut log = EventLog::new(1, LogLimits { events: 3, bytes: 1000 });
        for _ in 0..5 {
            log.push(E(10));
        }
        assert_eq!((log.oldest_id(), log.latest_id()), (3, 5));
        assert_eq!(ids(log.events_after(2, 1000)), [3, 4, 5]);
        assert_eq!(ids(log.events_after(4, 1000)), [5]);
        assert_eq!(ids(log.events_after(5, 1000)), Vec::<u64>::new());
        assert!(matches!(log.events_after(1, 1000), After::Resync));
    }

    #[test]
    fn chunks_are_bounded_in_bytes_but_hold_at_least_one_event() {
        let mut log = EventLog::new(1, LogLimits { events: 10, bytes: 10_000 });
        for _ in 0..4 {
            log.push(E(100));
        }
        assert_eq!(ids(log.events_after(0, 250)), [1, 2]);
        assert_eq!(ids(log.events_after(0, 50)), [1]);
    }

    #[test]
    fn held_back_events_are_not_read_and_the_byte_bound_keeps_the_newest() {
        let mut log = EventLog::new(7, LogLimits { events: 10, bytes: 150 });
        log.push(E(100));
        let before = log.latest_id();
        log.push(E(100));
        log.publish_up_to(before);
        assert!(log.holds_back());
        assert_eq!(log.len(), 1, "over the byte bound only the newest stays");
        assert_eq!(ids(log.events_after(7, 1000)), Vec::<u64>::new());
        log.publish_all();
        assert_eq!(ids(log.events_after(7, 1000)), [8]);
    }
}
