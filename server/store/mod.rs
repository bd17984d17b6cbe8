//! Sessions, rooms and experiments kept across restarts (DESIGN.md section 8).
//!
//! A run is a pure function of its spec, so the store keeps no engine state:
//! per session the spec, the step reached and the state digest there (to check
//! the rebuild), the state machine, the generation, the next event id, the
//! control token, the pacing and the room; per room its owner token and current
//! session; per experiment its plan and token, and its finished tasks, one row each
//! appended as they complete. The live server
//! rebuilds each session at start by re-running it to its step.
//!
//! The store is one SQLite file, `kiln.sqlite3`, in a data directory
//! (`--data-dir`, by default the per-user [`DataDir::user_default`];
//! `--data-dir none` is [`Store::none`], which keeps nothing).
//!
//! * [`Store`]: open, then upsert / remove / list each kind of record.
//! * [`StoreWriter`]: the cheap, coalescing write path for the live server
//!   (at most one write per record per window, flushed on close).
//! * a quota by bytes ([`StoreWriter::check_quota`], `--store-quota`, read by
//!   [`parse_bytes`]): at it, new work is refused and nothing running is dropped.
//! * [`StoreError`]: a missing file is created; a corrupt, unreadable, foreign,
//!   in-use or newer-format file is an error naming the path, and nothing
//!   crashes. [`Store::open_or_recover`] moves a bad file aside and starts empty.
//!
//! This module uses no other module of the server: the wiring converts between
//! its records and the live types.

mod change;
mod error;
mod file;
mod handle;
mod location;
mod quota;
mod records;
mod writer;

pub use change::{Change, Key};
pub use error::StoreError;
pub use file::FORMAT;
pub use handle::{FILE_NAME, Recovery, Store};
pub use location::DataDir;
pub use quota::parse_bytes;
pub use records::{ExperimentRecord, RoomRecord, RunState, SessionRecord, TaskRow};
pub use writer::{DEFAULT_QUOTA, DEFAULT_WINDOW, StoreWriter};
