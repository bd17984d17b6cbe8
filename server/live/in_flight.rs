//! The server-wide budget of bytes in flight: what the SSE followers have handed to
//! hyper and hyper has not yet asked past (issue 21: 100 stalled resumes held 491 MB
//! and never gave it back).
//!
//! hyper asks a response body for its next chunk only once it has room for it, so
//! a stream whose client stops reading holds exactly the last chunk it was given.
//! Every follower charges its chunk here when it hands it over and releases the
//! charge when hyper asks for the next one (or the stream ends). Streams that catch
//! up on missed events send them in chunks of up to
//! [`crate::live::stream::CHUNK_BYTES`] while the budget has room, and one event at a
//! time once it has none: so at any moment the bytes held for all streams are at most
//! [`BUDGET_BYTES`] plus one event per stream, and events are bounded in size (the
//! drawings are, `render`). hyper's own write buffer (about 400 KB per connection at
//! most) and the kernel's socket buffers come on top of this.
//!
//! The budget is one per process, a static: a server is one process, and a counter
//! that every stream shares needs no plumbing through the session manager. Tests
//! that want pressure lower the limit with [`set_budget`].

use std::sync::atomic::{AtomicUsize, Ordering};

/// The default budget: far above what a class of 100 viewers keeping up holds (a
/// few events each), far below the memory of a school laptop.
pub const BUDGET_BYTES: usize = 64 * 1024 * 1024;

static USED: AtomicUsize = AtomicUsize::new(0);
static HOLDERS: AtomicUsize = AtomicUsize::new(0);
static LIMIT: AtomicUsize = AtomicUsize::new(BUDGET_BYTES);

/// One chunk's bytes, charged to the budget until dropped.
#[derive(Debug)]
pub struct Charge {
    bytes: usize,
}

/// Charge `bytes` (a chunk handed to hyper) until the returned value is dropped.
/// Never refused: whether to send less is decided before, with [`has_room`].
pub fn charge(bytes: usize) -> Charge {
    USED.fetch_add(bytes, Ordering::Relaxed);
    HOLDERS.fetch_add(1, Ordering::Relaxed);
    Charge { bytes }
}

impl Drop for Charge {
    fn drop(&mut self) {
        USED.fetch_sub(self.bytes, Ordering::Relaxed);
        HOLDERS.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Whether the budget has room for another catch-up chunk of up to `bytes`.
pub fn has_room(bytes: usize) -> bool {
    USED.load(Ordering::Relaxed).saturating_add(bytes) <= LIMIT.load(Ordering::Relaxed)
}

/// Bytes charged now, over all streams.
pub fn used() -> usize {
    USED.load(Ordering::Relaxed)
}

/// Streams holding a charged chunk now.
pub fn holders() -> usize {
    HOLDERS.load(Ordering::Relaxed)
}

/// Set the budget (tests use a small one to put it under pressure).
pub fn set_budget(bytes: usize) {
    LIMIT.store(bytes, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_charge_counts_until_dropped() {
        let before = (used(), holders());
        let a = charge(1_000);
        let b = charge(24);
        assert!(used() >= before.0 + 1_024);
        assert!(holders() >= before.1 + 2);
        drop(a);
        drop(b);
    }

    #[test]
    fn room_is_the_limit_less_what_is_charged() {
        assert!(has_room(0));
        assert!(!has_room(usize::MAX));
    }
}
