//! The one SSE follower every stream runs: sessions, rooms and experiments differ
//! only in what they send, never in how a stream opens, waits, keeps alive, stops
//! or ends.
//!
//! A stream is a [`Feed`] (what differs: the opening event, the next chunk, the
//! signal that wakes it) driven by a [`Follower`] (what every stream shares):
//!
//! * it opens with `retry: 2000` and the feed's opening event;
//! * it asks the feed what comes next with the feed's signal armed, so a change
//!   made while it decides is never missed; the feed answers with bytes to send,
//!   the end, work to await (a session's frame, run on a blocking thread), or a
//!   time to wait until, optionally with a `waiting` event due every
//!   [`WAITING_EVERY`];
//! * after the server option's keep-alive interval of silence it sends a
//!   keep-alive comment;
//! * when the server stops it sends one `shutdown` event, [`SHUTDOWN_MESSAGE`] as
//!   `{"message"}`, and ends.
//!
//! Every chunk a follower hands to hyper is charged to the server-wide budget of
//! bytes in flight ([`super::in_flight`]) until hyper asks for the next one, so a
//! stream whose client stopped reading is counted with what it holds.
//!
//! Every follower holds a [`StreamTicket`] of the server-wide
//! [`super::streams::StreamRegistry`] for as long as its response body lives, so
//! `/health` counts every open stream of every kind.
//!
//! A reconnecting client names the last event it has with the `Last-Event-ID`
//! header (or the `last_event_id` query parameter, for clients that cannot set
//! headers): [`resume_id`] reads either, the same way for every stream.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::{Notify, watch};
use warp::hyper::body::Bytes;

use super::event::{KEEP_ALIVE, RETRY, write_event};
use super::in_flight;
use super::streams::StreamTicket;

/// Interval of `waiting` events while a stream waits for its run to start or go on.
pub const WAITING_EVERY: Duration = Duration::from_secs(1);
/// The `message` of the `shutdown` event every stream sends when the server stops.
pub const SHUTDOWN_MESSAGE: &str = "the server is shutting down";

/// Work a feed asks its follower to await: `Err(data)` ends the stream with an
/// `error` event carrying `data`.
pub type Work = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// What a stream does next, as its feed decides.
pub enum Next {
    /// Write these bytes (one or more whole events).
    Send(String),
    /// Write these bytes, then end the stream.
    Last(String),
    /// End the stream now.
    End,
    /// Await this work (the server stopping does not wait for it), then ask again.
    Work(Work),
    /// Nothing to send before `until` (or a wake-up). With `waiting`, a `waiting`
    /// event with this data goes out every [`WAITING_EVERY`] meanwhile.
    Wait {
        /// When to ask again at the latest (`None`: only on a wake-up).
        until: Option<Instant>,
        /// The data of the `waiting` event, if the stream is waiting for its run.
        waiting: Option<String>,
    },
}

/// What one kind of stream sends: the part that differs between streams.
pub trait Feed: Send + 'static {
    /// The event sent right after `retry` (a session's `connected`, a room's `room`);
    /// `None` for none.
    fn opening(&mut self) -> Option<String>;
    /// What comes next. Called with [`Feed::signal`] armed: a wake-up sent while
    /// this runs is not lost.
    fn next(&mut self, now: Instant) -> Next;
    /// The signal that wakes the stream when something changed.
    fn signal(&self) -> Arc<Notify>;
}

/// One open stream: a feed, and everything every stream shares.
pub struct Follower<F: Feed> {
    feed: F,
    stop: watch::Receiver<bool>,
    keep_alive: Duration,
    last_write: Instant,
    next_waiting: Instant,
    opened: bool,
    finished: bool,
    /// The last chunk handed to hyper, charged until hyper asks for the next.
    held: Option<in_flight::Charge>,
    _ticket: StreamTicket,
}

impl<F: Feed> Follower<F> {
    /// A stream of `feed` that sends a keep-alive comment after `keep_alive` of
    /// silence and stops when `stop` turns true; it counts in `ticket`'s registry
    /// while it lives.
    pub fn new(feed: F, stop: watch::Receiver<bool>, keep_alive: Duration, ticket: StreamTicket) -> Self {
        let now = Instant::now();
        Follower {
            feed,
            stop,
            keep_alive,
            last_write: now,
            next_waiting: now + WAITING_EVERY,
            opened: false,
            finished: false,
            held: None,
            _ticket: ticket,
        }
    }

    /// The next chunk of the response body; `None` ends the stream.
    pub async fn next_chunk(&mut self) -> Option<Bytes> {
        // hyper asks for a chunk once it has taken the last one: that one is no
        // longer ours to count.
        self.held = None;
        if !self.opened {
            self.opened = true;
            let mut out = String::from(RETRY);
            if let Some(opening) = self.feed.opening() {
                out.push_str(&opening);
            }
            return Some(self.written(out));
        }
        if self.finished {
            return None;
        }
        loop {
            if *self.stop.borrow() {
                self.finished = true;
                return Some(self.written(shutdown_event()));
            }
            let notified = self.feed.signal().notified_owned();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let now = Instant::now();
            match self.feed.next(now) {
                Next::Send(out) => return Some(self.written(out)),
                Next::Last(out) => {
                    self.finished = true;
                    return Some(self.written(out));
                }
                Next::End => {
                    self.finished = true;
                    return None;
                }
                Next::Work(work) => {
                    // If the server stops meanwhile, the work finishes on its own.
                    tokio::select! {
                        result = work => if let Err(data) = result {
                            self.finished = true;
                            let mut out = String::new();
                            write_event(&mut out, None, "error", &data);
                            return Some(self.written(out));
                        },
                        _ = self.stop.changed() => {}
                    }
                }
                Next::Wait { until, waiting } => {
                    if let Some(data) = &waiting
                        && now >= self.next_waiting
                    {
                        self.next_waiting = now + WAITING_EVERY;
                        let mut out = String::new();
                        write_event(&mut out, None, "waiting", data);
                        return Some(self.written(out));
                    }
                    let quiet_until = self.last_write + self.keep_alive;
                    if now >= quiet_until {
                        return Some(self.written(KEEP_ALIVE.to_string()));
                    }
                    let mut until = until.map_or(quiet_until, |u| u.min(quiet_until));
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

    fn written(&mut self, text: String) -> Bytes {
        self.last_write = Instant::now();
        self.held = Some(in_flight::charge(text.len()));
        Bytes::from(text)
    }

    /// The response body: the chunks until the stream ends.
    pub fn body(self) -> impl futures_util::Stream<Item = Result<Bytes, std::convert::Infallible>> + Send {
        futures_util::stream::unfold(self, |mut follower| async move {
            let chunk = follower.next_chunk().await?;
            Some((Ok(chunk), follower))
        })
    }
}

/// The `shutdown` event, the same on every stream.
pub fn shutdown_event() -> String {
    let mut out = String::new();
    write_event(&mut out, None, "shutdown", &json!({ "message": SHUTDOWN_MESSAGE }).to_string());
    out
}

/// The id of the last event a reconnecting client has: the `Last-Event-ID` header
/// if it is a number, else the `last_event_id` query parameter if that is; else
/// none (a fresh stream).
pub fn resume_id(header: Option<&str>, query: Option<&str>) -> Option<u64> {
    let parse = |v: Option<&str>| v.and_then(|v| v.trim().parse().ok());
    parse(header).or_else(|| parse(query))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_wins_and_anything_not_a_number_counts_as_absent() {
        assert_eq!(resume_id(Some(" 7 "), Some("3")), Some(7));
        assert_eq!(resume_id(Some("x"), Some("3")), Some(3));
        assert_eq!(resume_id(None, Some("-1")), None);
        assert_eq!(resume_id(None, None), None);
    }
}
