//! Budgets (DESIGN.md section 10): how much of the server one client may hold, and
//! the share kept for the teacher. One place holds the numbers ([`Budgets`], set by
//! `kiln serve`'s flags) and the one counting type every surface uses ([`Tally`]).
//!
//! A client is the peer's IP address ([`ClientAddr`], put on every request by the
//! connection it came on). Every surface that a client could fill is counted per
//! client and server-wide: open streams of every kind (the stream registry), a
//! session's viewers per client, live sessions, rooms and running experiments. A
//! client at its limit is refused with [`LiveError::TooMany`] (429 with
//! `Retry-After`), and nothing it already holds is touched.
//!
//! The teacher's requests always fit: students together may use at most seven
//! eighths of each server-wide limit ([`Caller::share_of`]), so the last eighth is
//! the teacher's. Who is the teacher for budgets ([`Caller::reserved`]): whoever
//! presents the server key, and the server's own machine (peer 127.0.0.1 or ::1),
//! which is where the teacher's browser runs in a lesson. The machine itself is
//! trusted for budgets only; creating in classroom mode still needs the key. Behind
//! a reverse proxy on the same machine every client looks like the machine itself,
//! so per-client budgets do not apply there.
//!
//! Counting uses a `std::sync::Mutex` around a plain map (never held across an
//! `.await`): a [`Hold`] is taken under the lock after the check, so two requests
//! at once cannot both take the last place, and dropping it gives the place back.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};

use super::error::LiveError;

/// The peer address of a request's connection (its client, for budgets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The address of a request that came in-process, not over a socket (tests):
    /// counted as the server's own machine.
    pub const LOCAL: ClientAddr = ClientAddr(IpAddr::V4(Ipv4Addr::LOCALHOST));
}

/// Who is asking: the client's address, and whether the request carries the
/// server key (the teacher).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The peer's address.
    pub addr: IpAddr,
    /// The request presented the server key.
    pub teacher: bool,
}

impl Caller {
    /// A request from the server's own machine without the key (in-process calls).
    pub const LOCAL: Caller = Caller { addr: IpAddr::V4(Ipv4Addr::LOCALHOST), teacher: false };

    /// A caller at `addr`; `teacher` when it presented the server key.
    pub fn new(addr: ClientAddr, teacher: bool) -> Self {
        Caller { addr: addr.0, teacher }
    }

    /// Whether this caller may use the teacher's reserved share: the key holder,
    /// or the server's own machine (127.0.0.1, ::1).
    pub fn reserved(&self) -> bool {
        self.teacher
            || self.addr == IpAddr::V4(Ipv4Addr::LOCALHOST)
            || self.addr == IpAddr::V6(Ipv6Addr::LOCALHOST)
    }

    /// How much of a server-wide limit of `cap` this caller may fill: all of it for
    /// the teacher, seven eighths (at least one place fewer) for anyone else.
    pub fn share_of(&self, cap: usize) -> usize {
        if self.reserved() { cap } else { cap.saturating_sub(reserve(cap)) }
    }

    /// Whether this caller has a per-client limit (the teacher has none).
    fn limited(&self) -> bool {
        !self.reserved()
    }
}

/// The places of a server-wide limit kept for the teacher: an eighth, at least one.
pub fn reserve(cap: usize) -> usize {
    (cap / 8).max(1).min(cap)
}

/// The budgets of one server (`kiln serve --help` names the flags).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budgets {
    /// Open connections of one client (the server-wide cap is `kiln serve`'s
    /// connection cap, fitted to the open-file limit).
    pub connections_per_client: usize,
    /// Open streams of every kind over the whole server.
    pub streams: usize,
    /// Open streams of every kind of one client.
    pub streams_per_client: usize,
    /// Open streams of one session from one client.
    pub viewers_per_client: usize,
    /// Live sessions one client created.
    pub sessions_per_client: usize,
    /// Rooms one client created that still exist.
    pub rooms_per_client: usize,
    /// Running experiments one client created.
    pub experiments_per_client: usize,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets {
            connections_per_client: 128,
            streams: 4096,
            streams_per_client: 64,
            viewers_per_client: 8,
            sessions_per_client: 8,
            rooms_per_client: 2,
            experiments_per_client: 1,
        }
    }
}

/// A count of held places, per key and in all: a handle, cheap to clone.
pub struct Tally<K> {
    counts: Arc<Mutex<Counts<K>>>,
}

impl<K> Clone for Tally<K> {
    fn clone(&self) -> Self {
        Tally { counts: self.counts.clone() }
    }
}

impl<K> Default for Tally<K> {
    fn default() -> Self {
        Tally { counts: Arc::new(Mutex::new(Counts { by_key: HashMap::new(), total: 0 })) }
    }
}

struct Counts<K> {
    by_key: HashMap<K, usize>,
    total: usize,
}

/// One held place of a [`Tally`]; dropping it gives the place back.
pub struct Hold<K: Hash + Eq> {
    counts: Arc<Mutex<Counts<K>>>,
    key: Option<K>,
}

/// What a refused [`Tally::take`] was over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Over {
    /// The caller's own limit.
    Client(usize),
    /// The server-wide limit (the caller's share of it).
    Server(usize),
}

impl<K: Hash + Eq + Clone> Tally<K> {
    /// Take one place for `key` if `caller` is under `per_client` places of that key
    /// and the tally is under the caller's share of `cap` (see [`Caller::share_of`]).
    pub fn take(&self, caller: &Caller, key: K, per_client: usize, cap: usize) -> Result<Hold<K>, Over> {
        let mut counts = lock(&self.counts);
        let share = caller.share_of(cap);
        if counts.total >= share {
            return Err(Over::Server(cap));
        }
        let held = counts.by_key.get(&key).copied().unwrap_or(0);
        if caller.limited() && held >= per_client {
            return Err(Over::Client(per_client));
        }
        counts.total += 1;
        *counts.by_key.entry(key.clone()).or_insert(0) += 1;
        Ok(Hold { counts: self.counts.clone(), key: Some(key) })
    }

    /// Places held in all.
    pub fn total(&self) -> usize {
        lock(&self.counts).total
    }

    /// Places held by `key`.
    pub fn held_by(&self, key: &K) -> usize {
        lock(&self.counts).by_key.get(key).copied().unwrap_or(0)
    }
}

impl<K: Hash + Eq> Drop for Hold<K> {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else { return };
        let mut counts = lock(&self.counts);
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.by_key.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                counts.by_key.remove(&key);
            }
        }
    }
}

/// Who made each of a set of things that end by themselves (running experiments):
/// counted per client while they last. A handle, cheap to clone.
pub struct Makers<Id> {
    made: Arc<Mutex<HashMap<Id, IpAddr>>>,
}

impl<Id> Clone for Makers<Id> {
    fn clone(&self) -> Self {
        Makers { made: self.made.clone() }
    }
}

impl<Id> Default for Makers<Id> {
    fn default() -> Self {
        Makers { made: Arc::default() }
    }
}

impl<Id: Hash + Eq> Makers<Id> {
    /// Whether `caller` may make one more: under `per_client` of its own that are
    /// still `alive`, and `running` (all of them, whoever made them) under its share
    /// of `cap`. Things no longer alive are forgotten.
    pub fn check(
        &self,
        caller: &Caller,
        per_client: usize,
        cap: usize,
        running: usize,
        alive: impl Fn(&Id) -> bool,
    ) -> Result<(), Over> {
        if running >= caller.share_of(cap) {
            return Err(Over::Server(cap));
        }
        let mut made = lock(&self.made);
        made.retain(|id, _| alive(id));
        let own = made.values().filter(|addr| **addr == caller.addr).count();
        if caller.limited() && own >= per_client {
            return Err(Over::Client(per_client));
        }
        Ok(())
    }

    /// `caller` made `id`.
    pub fn record(&self, id: Id, caller: &Caller) {
        lock(&self.made).insert(id, caller.addr);
    }
}

impl Over {
    /// The refusal in words: `what` names the places ("open streams", "rooms").
    pub fn refusal(self, what: &str) -> LiveError {
        LiveError::TooMany(match self {
            Over::Client(n) => {
                format!("this client already holds its maximum of {n} {what}; close some first")
            }
            Over::Server(n) => format!("the server is full ({n} {what} at most, some kept for the teacher)"),
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn student(last: u8) -> Caller {
        Caller::new(ClientAddr(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))), false)
    }

    #[test]
    fn a_client_stops_at_its_own_limit_and_others_still_fit() {
        let tally = Tally::default();
        let (a, b) = (student(2), student(3));
        let held: Vec<_> = (0..3).map(|_| tally.take(&a, a.addr, 3, 100).expect("under the limit")).collect();
        assert_eq!(tally.take(&a, a.addr, 3, 100).err(), Some(Over::Client(3)));
        assert!(tally.take(&b, b.addr, 3, 100).is_ok(), "another client has its own limit");
        drop(held);
        assert_eq!(tally.held_by(&a.addr), 0, "dropping gives the places back");
        assert!(tally.take(&a, a.addr, 3, 100).is_ok());
    }

    #[test]
    fn students_leave_an_eighth_of_the_server_to_the_teacher() {
        let tally = Tally::default();
        let held: Vec<_> = (0..56u8)
            .map(|i| tally.take(&student(i + 2), student(i + 2).addr, 1, 64).expect("fits"))
            .collect();
        assert_eq!(held.len(), 64 - 64 / 8);
        assert_eq!(tally.take(&student(100), student(100).addr, 1, 64).err(), Some(Over::Server(64)));
        let teacher = Caller { teacher: true, ..student(101) };
        let teachers: Vec<_> =
            (0..8).map(|_| tally.take(&teacher, teacher.addr, 1, 64).expect("reserved")).collect();
        assert_eq!(
            tally.take(&teacher, teacher.addr, 1, 64).err(),
            Some(Over::Server(64)),
            "the cap holds for all"
        );
        drop(teachers);
    }

    #[test]
    fn a_client_makes_its_budget_of_running_things_and_finished_ones_free_it() {
        let makers = Makers::default();
        let a = student(2);
        makers.check(&a, 1, 4, 0, |_| true).expect("the first");
        makers.record(1u32, &a);
        assert_eq!(makers.check(&a, 1, 4, 1, |_| true), Err(Over::Client(1)));
        assert!(makers.check(&student(3), 1, 4, 1, |_| true).is_ok(), "another client");
        assert_eq!(makers.check(&student(3), 1, 4, 3, |_| true), Err(Over::Server(4)), "the teacher's share");
        assert!(makers.check(&Caller { teacher: true, ..a }, 1, 4, 3, |_| true).is_ok());
        assert!(makers.check(&a, 1, 4, 0, |_| false).is_ok(), "a finished one no longer counts");
    }

    #[test]
    fn the_servers_own_machine_uses_the_reserve_without_the_key() {
        let local = Caller::new(ClientAddr::LOCAL, false);
        assert!(local.reserved());
        assert!(!student(2).reserved(), "127.0.0.2 is another client");
        assert_eq!(reserve(1), 1);
        assert_eq!(student(2).share_of(1), 0);
        assert_eq!(local.share_of(1), 1);
    }
}
