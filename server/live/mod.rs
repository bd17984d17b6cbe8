//! Live sessions: the session manager, one session's state machine, event
//! history and trace from step 0, the frames it keeps, the one event log and SSE
//! follower every stream shares (and the registry that counts open streams), the
//! session feed that both drives and shows a run, and
//! the bounded pool that runs long work with deadlines, the rooms that follow a teacher's
//! newest session, the class experiment handed to a room's phones, the log lines of session events, and what a session keeps in the
//! store across restarts.
//! Nothing here knows HTTP: errors are [`LiveError`]s, mapped to statuses in
//! `http::error`.

pub mod budget;
pub mod class;
pub mod error;
pub mod event;
pub mod event_log;
pub mod experiments;
pub mod in_flight;
pub mod log;
pub mod persist;
pub mod rooms;
pub mod session;
pub mod sessions;
pub mod sse;
pub mod state;
pub mod stream;
pub mod streams;
pub mod token;
pub mod trace;
pub mod view;
pub mod work;

pub use error::LiveError;
pub use session::{Control, ControlReply, Session, SessionState};
pub use sessions::{Limits, Restored, Sessions};
