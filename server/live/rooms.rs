//! Rooms: a teacher's page owns a room with a short code a class can read off a
//! projector and type on a phone, and the room's page (`/r/CODE`) follows whatever
//! session the teacher runs next.
//!
//! A [`Room`] holds only which session is current (and its kind); the sessions stay
//! in [`super::Sessions`]. Every change bumps the room's version and wakes its
//! streams through a `Notify`; a room stream ([`RoomViewer`]) sends `room` once on
//! connect and `session_changed` `{session_id, problem}` whenever the version moved,
//! so a phone switches to the new run by itself with no rescan. The phone then
//! watches the session's own stream, as a watch link would.
//!
//! Codes are 6 characters of [`CODE_ALPHABET`] (digits and capitals without 0, O,
//! 1, I and L, which read alike on a projector): 31^6, about 887 million codes,
//! drawn at random until one is free. Typed codes are matched case-insensitively.
//!
//! The registry is a `std::sync::Mutex` around a plain map, never held across an
//! `.await`, as in [`super::sessions`]; at most [`MAX_ROOMS`] rooms exist at once.
//! When the caller's share of them is taken, creating one first drops the rooms
//! idle for [`ROOM_IDLE_TTL`] (no open room stream, no change), so rooms left
//! behind by closed tabs never refuse a teacher for good.
//!
//! Budgets ([`super::budget`]): a client may hold [`Budgets::rooms_per_client`]
//! rooms it made (its place is given back when the room goes), and students
//! together fill at most seven eighths of [`MAX_ROOMS`], so the teacher creates
//! even after a thousand anonymous creates.
//!
//! The idle clock is wall time (milliseconds since the Unix epoch), kept in the
//! room's store record whenever it moves (a change, the last stream closing), so a
//! restart does not make an abandoned room look fresh: it goes on being idle from
//! where it was.
//!
//! A teacher has one room (issue 22): [`Rooms::for_teacher`] answers the room made
//! for a teacher identity (the server key of `kiln serve --classroom`) while it
//! exists, so a second tab, another browser or a reload with the key lands in the
//! same room; a new room for the same teacher is asked for explicitly. Without a
//! server key the page keeps the room's code and token itself (localStorage), which
//! is the teacher's identity then.
//!
//! Rooms survive a restart (DESIGN.md section 8): a room's code, owner token and
//! current session go to the store's writer when it is made and whenever its
//! session changes, and [`Rooms::restore`] brings them back at start, after the
//! sessions, so `/r/CODE` and the teacher's page go on with the same room.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use serde_json::json;
use tokio::sync::Notify;
use uuid::Uuid;

use super::budget::{Budgets, Caller, Hold, Tally};
use super::error::LiveError;
use super::event::write_event;
use super::session::lock;
use super::sessions::Sessions;
use super::sse::{Feed, Next};
use super::token::same_token;
use crate::store::{DEFAULT_WINDOW, RoomRecord, Store, StoreWriter};

/// The characters of a room code: no 0/O, 1/I/L.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters in a room code.
pub const CODE_LENGTH: usize = 6;
/// Most rooms at once.
pub const MAX_ROOMS: usize = 1024;
/// A room with no open stream and no change for this long may be dropped to make place.
pub const ROOM_IDLE_TTL: Duration = Duration::from_secs(2 * 60 * 60);

/// The session a room shows now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Current {
    /// The session.
    pub session_id: Uuid,
    /// Its kind.
    pub problem: String,
}

/// One room: its code, its owner's token, and the session it shows.
pub struct Room {
    code: String,
    token: String,
    state: Mutex<RoomState>,
    notify: Arc<Notify>,
    store: Arc<StoreWriter>,
    /// The room's place in its maker's budget (none for a restored room).
    _place: Option<Hold<IpAddr>>,
}

struct RoomState {
    current: Option<Current>,
    version: u64,
    /// Open room streams.
    streams: usize,
    /// The last change, or the last stream closing, in ms since the Unix epoch.
    last_active_ms: u64,
    /// The room's last class experiment (kept in the store, so it is found again
    /// after a restart).
    class_experiment: Option<Uuid>,
}

/// Now, in milliseconds since the Unix epoch (the rooms' idle clock).
fn now_ms() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Room {
    /// The code (6 characters of [`CODE_ALPHABET`]).
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The owner's token (changing the current session needs it).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Whether `presented` is this room's token (compared in constant time).
    pub fn token_matches(&self, presented: &str) -> bool {
        same_token(&self.token, presented)
    }

    /// The session shown now, if any.
    pub fn current(&self) -> Option<Current> {
        lock(&self.state).current.clone()
    }

    /// Show this session from now on; every room stream gets `session_changed`.
    pub fn set_current(&self, current: Current) {
        let mut state = lock(&self.state);
        if state.current.as_ref() == Some(&current) {
            return;
        }
        state.current = Some(current);
        state.version += 1;
        state.last_active_ms = now_ms();
        self.persist(&state);
        drop(state);
        self.notify.notify_waiters();
    }

    /// The room's last class experiment, if it started one.
    pub fn class_experiment(&self) -> Option<Uuid> {
        lock(&self.state).class_experiment
    }

    /// The room's class experiment is `id` from now on (stored with the room).
    pub fn set_class_experiment(&self, id: Uuid) {
        let mut state = lock(&self.state);
        state.class_experiment = Some(id);
        state.last_active_ms = now_ms();
        self.persist(&state);
    }

    /// Whether nobody follows the room and nothing changed in it for `ttl` before
    /// `now_ms` (ms since the Unix epoch).
    fn idle(&self, now_ms: u64, ttl: Duration) -> bool {
        let state = lock(&self.state);
        state.streams == 0 && now_ms.saturating_sub(state.last_active_ms) >= ttl.as_millis() as u64
    }

    /// Hand the room's record to the store (with `state` locked, so records go in order).
    fn persist(&self, state: &RoomState) {
        let record = RoomRecord {
            code: self.code.clone(),
            owner_token: self.token.clone(),
            session_id: state.current.as_ref().map(|c| c.session_id),
            active_at_ms: Some(state.last_active_ms),
            class_experiment: state.class_experiment,
        };
        if let Err(e) = self.store.upsert_room(record) {
            eprintln!("kiln: room {}: not saved: {e}", self.code);
        }
    }

    fn snapshot(&self) -> (u64, Option<Current>) {
        let state = lock(&self.state);
        (state.version, state.current.clone())
    }
}

/// The rooms of a server: a handle, cheap to clone.
#[derive(Clone)]
pub struct Rooms {
    rooms: Arc<Mutex<HashMap<String, Arc<Room>>>>,
    /// A teacher identity -> the code of that teacher's room.
    teachers: Arc<Mutex<HashMap<String, String>>>,
    store: Arc<StoreWriter>,
    /// Rooms per client that made them.
    makers: Tally<IpAddr>,
    /// Most rooms one client may hold.
    per_client: usize,
}

impl Default for Rooms {
    /// Rooms kept in memory only.
    fn default() -> Self {
        Rooms::with_store(Arc::new(StoreWriter::spawn(Store::none(), DEFAULT_WINDOW)))
    }
}

impl Rooms {
    /// Rooms whose records go to `store`.
    pub fn with_store(store: Arc<StoreWriter>) -> Self {
        Rooms::with_budgets(store, &Budgets::default())
    }

    /// Rooms whose records go to `store`, with `budgets`' rooms per client.
    pub fn with_budgets(store: Arc<StoreWriter>, budgets: &Budgets) -> Self {
        Rooms {
            rooms: Arc::default(),
            teachers: Arc::default(),
            store,
            makers: Tally::default(),
            per_client: budgets.rooms_per_client,
        }
    }

    /// Bring back stored rooms (at start, once the stored sessions are expected,
    /// before serving): each keeps its code and owner token, and shows its session
    /// if that is held or being rebuilt, and its idle clock goes on from the stored
    /// last activity (a room stored without one is idle from now).
    /// Returns one line per room for the server log.
    pub fn restore(&self, records: Vec<RoomRecord>, sessions: &Sessions) -> Vec<String> {
        let mut rooms = lock(&self.rooms);
        let mut lines = Vec::new();
        for record in records {
            if rooms.len() >= MAX_ROOMS || !Rooms::is_code(&record.code) {
                let _ = self.store.remove_room(&record.code);
                lines.push(format!("room {} not restored: not a room code, or too many rooms", record.code));
                continue;
            }
            let current = record
                .session_id
                .and_then(|id| Some(Current { session_id: id, problem: sessions.kind_of(id)? }));
            lines.push(match &current {
                Some(c) => format!("room {} restored, showing session {}", record.code, c.session_id),
                None => format!("room {} restored, with no session", record.code),
            });
            let room = Arc::new(Room {
                code: record.code.clone(),
                token: record.owner_token,
                state: Mutex::new(RoomState {
                    current,
                    version: 0,
                    streams: 0,
                    last_active_ms: record.active_at_ms.unwrap_or_else(now_ms),
                    class_experiment: record.class_experiment,
                }),
                notify: Arc::new(Notify::new()),
                store: self.store.clone(),
                _place: None,
            });
            rooms.insert(record.code, room);
        }
        lines
    }

    /// A new room with a free random code, made by the server's own machine.
    pub fn create(&self) -> Result<Arc<Room>, LiveError> {
        self.create_for(&Caller::LOCAL)
    }

    /// A new room with a free random code for `caller`: 429 when the caller holds
    /// its budget of rooms, or when its share of [`MAX_ROOMS`] is taken and no room
    /// has been idle for [`ROOM_IDLE_TTL`] (idle ones are dropped first).
    pub fn create_for(&self, caller: &Caller) -> Result<Arc<Room>, LiveError> {
        self.create_at(caller, now_ms())
    }

    fn create_at(&self, caller: &Caller, now_ms: u64) -> Result<Arc<Room>, LiveError> {
        let mut rooms = lock(&self.rooms);
        let share = caller.share_of(MAX_ROOMS);
        if rooms.len() >= share {
            let idle: Vec<String> = rooms
                .iter()
                .filter(|(_, room)| room.idle(now_ms, ROOM_IDLE_TTL))
                .map(|(c, _)| c.clone())
                .collect();
            for code in &idle {
                rooms.remove(code);
                let _ = self.store.remove_room(code);
            }
            lock(&self.teachers).retain(|_, code| !idle.contains(code));
        }
        if rooms.len() >= share {
            return Err(LiveError::TooMany(format!(
                "the server already has its maximum of {MAX_ROOMS} rooms (some kept for the teacher)"
            )));
        }
        let place = self
            .makers
            .take(caller, caller.addr, self.per_client, usize::MAX)
            .map_err(|o| o.refusal("rooms (a room goes after two idle hours)"))?;
        let code = loop {
            let code: String = (0..CODE_LENGTH)
                .map(|_| CODE_ALPHABET[rand::random_range(0..CODE_ALPHABET.len())] as char)
                .collect();
            if !rooms.contains_key(&code) {
                break code;
            }
        };
        let room = Arc::new(Room {
            code: code.clone(),
            token: Uuid::new_v4().simple().to_string(),
            state: Mutex::new(RoomState {
                current: None,
                version: 0,
                streams: 0,
                last_active_ms: now_ms,
                class_experiment: None,
            }),
            notify: Arc::new(Notify::new()),
            store: self.store.clone(),
            _place: Some(place),
        });
        room.persist(&lock(&room.state));
        rooms.insert(code, room.clone());
        Ok(room)
    }

    /// The room of the teacher known by `identity`: the one made for it before while
    /// it exists, unless `fresh` asks for a new one (which is that teacher's room from
    /// then on). Answers the room and whether it was made now.
    pub fn for_teacher(
        &self,
        identity: &str,
        fresh: bool,
        caller: &Caller,
    ) -> Result<(Arc<Room>, bool), LiveError> {
        let known = lock(&self.teachers).get(identity).cloned();
        if let Some(room) = known.filter(|_| !fresh).and_then(|code| self.get(&code)) {
            return Ok((room, false));
        }
        let room = self.create_for(caller)?;
        lock(&self.teachers).insert(identity.to_string(), room.code().to_string());
        Ok((room, true))
    }

    /// Every room, in no order.
    pub fn all(&self) -> Vec<Arc<Room>> {
        lock(&self.rooms).values().cloned().collect()
    }

    /// A room by its code, typed in any case.
    pub fn get(&self, code: &str) -> Option<Arc<Room>> {
        lock(&self.rooms).get(&code.trim().to_ascii_uppercase()).cloned()
    }

    /// Whether `code` is shaped like a room code (6 characters of the alphabet, any case).
    pub fn is_code(code: &str) -> bool {
        code.len() == CODE_LENGTH && code.bytes().all(|b| CODE_ALPHABET.contains(&b.to_ascii_uppercase()))
    }
}

/// One room stream's feed: `room` on connect, then `session_changed` at every
/// change (the follower of `live::sse` adds keep-alives and `shutdown`).
pub struct RoomViewer {
    room: Arc<Room>,
    sent: Option<u64>,
}

impl RoomViewer {
    /// A feed of `room`'s changes.
    pub fn new(room: Arc<Room>) -> Self {
        lock(&room.state).streams += 1;
        RoomViewer { room, sent: None }
    }

    /// The room's state as an event, if it changed since the last one sent.
    fn changed(&mut self) -> Option<String> {
        let (version, current) = self.room.snapshot();
        if self.sent == Some(version) {
            return None;
        }
        let name = if self.sent.is_none() { "room" } else { "session_changed" };
        let data = json!({
            "code": self.room.code(),
            "session_id": current.as_ref().map(|c| c.session_id),
            "problem": current.as_ref().map(|c| c.problem.clone()),
        });
        let mut out = String::new();
        write_event(&mut out, Some(version), name, &data.to_string());
        self.sent = Some(version);
        Some(out)
    }
}

impl Feed for RoomViewer {
    fn opening(&mut self) -> Option<String> {
        self.changed()
    }

    fn next(&mut self, _now: Instant) -> Next {
        match self.changed() {
            Some(out) => Next::Send(out),
            None => Next::Wait { until: None, waiting: None },
        }
    }

    fn signal(&self) -> Arc<Notify> {
        self.room.notify.clone()
    }
}

impl Drop for RoomViewer {
    /// The stream closed: one follower fewer, and the room's idle time starts now
    /// (kept in the store when it was the last one, so a restart keeps the clock).
    fn drop(&mut self) {
        let mut state = lock(&self.room.state);
        state.streams -= 1;
        state.last_active_ms = now_ms();
        if state.streams == 0 {
            self.room.persist(&state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::budget::ClientAddr;

    #[test]
    fn codes_are_six_unambiguous_characters() {
        let rooms = Rooms::default();
        for _ in 0..200 {
            let room = rooms.create().expect("room");
            assert_eq!(room.code().len(), 6);
            assert!(room.code().bytes().all(|b| !b"0O1IL".contains(&b)), "{}", room.code());
            assert!(Rooms::is_code(room.code()));
        }
    }

    fn student(last: u8) -> Caller {
        Caller::new(ClientAddr(IpAddr::from([127, 0, 0, last])), false)
    }

    #[test]
    fn a_full_server_drops_rooms_idle_past_the_ttl_but_keeps_followed_ones() {
        let rooms = Rooms::default();
        let made: Vec<Arc<Room>> = (0..MAX_ROOMS).map(|_| rooms.create().expect("room")).collect();
        assert!(matches!(rooms.create(), Err(LiveError::TooMany(_))), "full, and nothing idle yet");
        let followed = RoomViewer::new(made[0].clone());
        let later = now_ms() + ROOM_IDLE_TTL.as_millis() as u64 + 1000;
        rooms.create_at(&Caller::LOCAL, later).expect("idle rooms make place");
        assert!(rooms.get(made[0].code()).is_some(), "a room with an open stream stays");
        assert!(rooms.get(made[1].code()).is_none(), "an idle room is dropped");
        drop(followed);
    }

    #[test]
    fn a_teacher_gets_the_same_room_until_asking_for_a_new_one() {
        let rooms = Rooms::default();
        let teacher = Caller { teacher: true, ..student(9) };
        let (first, made) = rooms.for_teacher("key-a", false, &teacher).expect("room");
        assert!(made);
        let (again, made) = rooms.for_teacher("key-a", false, &teacher).expect("room");
        assert!(!made, "the same teacher's room is found, not made");
        assert_eq!(again.code(), first.code());
        assert_eq!(again.token(), first.token());
        let (other, _) = rooms.for_teacher("key-b", false, &teacher).expect("room");
        assert_ne!(other.code(), first.code(), "another teacher has another room");
        let (fresh, made) = rooms.for_teacher("key-a", true, &teacher).expect("room");
        assert!(made);
        assert_ne!(fresh.code(), first.code());
        assert_eq!(rooms.for_teacher("key-a", false, &teacher).expect("room").0.code(), fresh.code());
    }

    #[test]
    fn a_client_makes_its_budget_of_rooms_and_the_teacher_still_makes_one_when_students_filled_theirs() {
        let rooms = Rooms::default();
        let per_client = Budgets::default().rooms_per_client;
        for _ in 0..per_client {
            rooms.create_for(&student(2)).expect("under the client's budget");
        }
        assert!(matches!(rooms.create_for(&student(2)), Err(LiveError::TooMany(_))), "over its budget");
        let mut made = per_client;
        for client in 3u16.. {
            let [hi, lo] = client.to_be_bytes();
            let caller = Caller::new(ClientAddr(IpAddr::from([127, 0, hi, lo])), false);
            match rooms.create_for(&caller) {
                Ok(_) => made += 1,
                Err(LiveError::TooMany(_)) => break,
                Err(e) => panic!("refused at {made}: {e}"),
            }
        }
        assert_eq!(made, MAX_ROOMS - MAX_ROOMS / 8, "students fill seven eighths");
        let teacher = Caller { teacher: true, ..student(250) };
        rooms.for_teacher("key", false, &teacher).expect("the teacher's room fits");
    }

    #[test]
    fn a_restored_room_keeps_its_idle_clock() {
        let rooms = Rooms::default();
        let long_ago = now_ms() - ROOM_IDLE_TTL.as_millis() as u64 - 1000;
        let stored = |code: &str, active_at_ms| RoomRecord {
            code: code.into(),
            owner_token: "t".into(),
            session_id: None,
            active_at_ms,
            class_experiment: None,
        };
        let sessions = Sessions::new(Default::default(), tokio::sync::watch::channel(false).1);
        rooms.restore(vec![stored("ABCDEF", Some(long_ago)), stored("BCDEFG", Some(now_ms()))], &sessions);
        let now = now_ms();
        assert!(
            rooms.get("ABCDEF").expect("restored").idle(now, ROOM_IDLE_TTL),
            "idle since before the restart"
        );
        assert!(!rooms.get("BCDEFG").expect("restored").idle(now, ROOM_IDLE_TTL));
    }

    #[test]
    fn a_typed_code_is_found_in_any_case() {
        let rooms = Rooms::default();
        let room = rooms.create().expect("room");
        let typed = room.code().to_ascii_lowercase();
        assert_eq!(rooms.get(&typed).map(|r| r.code().to_string()), Some(room.code().to_string()));
        assert!(rooms.get("000000").is_none());
    }
}
