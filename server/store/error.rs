//! `StoreError`: every way the session store can fail, each naming the file (or
//! the record and field) and what is wrong with it, in words a teacher can act on.
//!
//! Errors carry their causes as text rather than as `io::Error` or
//! `rusqlite::Error` values, so that they are `Clone`: the coalescing writer keeps
//! the last failure and hands it to whoever flushes next.

use std::path::PathBuf;

/// A store that cannot be opened, read or written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// `--data-dir` was given an empty path.
    #[error("--data-dir '': an empty path (use 'none' to keep sessions in memory only)")]
    EmptyDataDir,
    /// The platform gives no home directory to put the default data directory in.
    #[error(
        "no default data directory: no home directory is known (give --data-dir PATH, or --data-dir none)"
    )]
    NoDefaultDir,
    /// The data directory could not be created.
    #[error("data directory {path}: cannot create it: {detail}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// The store file exists but cannot be opened or read (permissions, a directory in its place, I/O error).
    #[error("store {path}: cannot read it: {detail}")]
    Unreadable {
        /// The store file.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// The file is not a Kiln store, or its contents are damaged.
    #[error("store {path}: corrupt: {detail}")]
    Corrupt {
        /// The store file.
        path: PathBuf,
        /// What is damaged.
        detail: String,
    },
    /// The file was written by a newer Kiln, in a format this build does not know.
    #[error(
        "store {path}: format {found} is newer than the {supported} this kiln understands (it was written by a newer kiln)"
    )]
    NewerFormat {
        /// The store file.
        path: PathBuf,
        /// The file's format.
        found: i64,
        /// The newest format this build reads.
        supported: i64,
    },
    /// Another process (another `kiln serve`) holds the store.
    #[error("store {path}: in use by another kiln process (stop it, or give this one another --data-dir)")]
    InUse {
        /// The store file.
        path: PathBuf,
    },
    /// A write did not reach the file (disk full, file removed, I/O error).
    #[error("store {path}: cannot write: {detail}")]
    Write {
        /// The store file.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// A record handed to the store has a value the store cannot keep.
    #[error("{record}: {field} {value}: {problem}")]
    BadRecord {
        /// Which record, e.g. `session 5f0c...`.
        record: String,
        /// The field, as [`crate::store::SessionRecord`] and its siblings spell it.
        field: &'static str,
        /// The value, shortened if long.
        value: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The store is at its quota (`--store-quota`): new work is refused until
    /// something is deleted; what runs is not dropped.
    #[error(
        "store {path}: it holds {bytes} bytes, at its quota of {quota} bytes (--store-quota); delete finished experiments or sessions, or restart with a larger --store-quota"
    )]
    Full {
        /// The store file.
        path: PathBuf,
        /// The bytes its files take now.
        bytes: u64,
        /// The quota.
        quota: u64,
    },
    /// A bad file could not be moved aside.
    #[error("store {path}: cannot move it aside to {to}: {detail}")]
    MoveAside {
        /// The bad file.
        path: PathBuf,
        /// Where it was to go.
        to: PathBuf,
        /// Why not.
        detail: String,
    },
}

impl StoreError {
    /// The file's contents are the problem (corrupt, not a store, newer format):
    /// moving the file aside and starting a fresh one recovers. Not so for an
    /// unreadable file or directory, or a store in use, where a fresh file at the
    /// same place would fail the same way or take another server's sessions.
    pub fn is_bad_file(&self) -> bool {
        matches!(self, StoreError::Corrupt { .. } | StoreError::NewerFormat { .. })
    }
}
