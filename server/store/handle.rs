//! `Store`: the handle the server holds, a store file in a data directory or
//! nothing at all (`--data-dir none`), with the same methods either way.
//!
//! Every method takes the file's lock for one transaction and returns; the
//! server calls them at start (to list what to rebuild) and through the
//! coalescing [`crate::store::StoreWriter`] while it runs. A `std::sync::Mutex`
//! and not tokio's: a SQLite call cannot yield, and no `.await` happens while it
//! is held. Cloning a `Store` is cheap and shares the file; the file closes
//! (and its WAL is folded back in) when the last clone is dropped.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use uuid::Uuid;

use super::change::Change;
use super::error::StoreError;
use super::file::{StoreFile, check_change};
use super::location::DataDir;
use super::records::{ExperimentRecord, RoomRecord, SessionRecord, TaskRow};

/// The store file's name inside the data directory.
pub const FILE_NAME: &str = "kiln.sqlite3";

/// Sessions, rooms and experiments kept across restarts (or, for
/// [`Store::none`], not kept at all).
#[derive(Clone)]
pub struct Store {
    file: Option<Arc<Mutex<StoreFile>>>,
}

/// A bad store file that [`Store::open_or_recover`] moved aside before starting
/// an empty store: what to tell the teacher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovery {
    /// What was wrong with the file.
    pub error: StoreError,
    /// Where the bad file is now (kept, not deleted, for inspection).
    pub moved_to: PathBuf,
}

impl fmt::Display for Recovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; moved it to {} and started an empty store", self.error, self.moved_to.display())
    }
}

impl Store {
    /// Opens the store in `dir`, creating the directory and the file if missing.
    ///
    /// A file that is corrupt, not a Kiln store, unreadable, in use by another
    /// process or from a newer format is a [`StoreError`] naming the path and what
    /// is wrong; nothing is written to it. The caller can then go on with an empty
    /// store: [`Store::open_or_recover`] moves a bad file aside and opens a fresh
    /// one, and [`Store::none`] keeps nothing.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::CreateDir { path: dir.to_owned(), detail: e.to_string() })?;
        let file = StoreFile::open(&dir.join(FILE_NAME))?;
        Ok(Store { file: Some(Arc::new(Mutex::new(file))) })
    }

    /// [`Store::open`], but a file whose contents are bad
    /// ([`StoreError::is_bad_file`]: corrupt, not a Kiln store, newer format) is
    /// renamed to `kiln.sqlite3.bad-<unix seconds>` (with its WAL file) and a
    /// fresh store is opened; the [`Recovery`] says what happened. Other errors
    /// (a directory that cannot be created, a file that cannot be read, a store in
    /// use) are returned: starting another file would not help.
    pub fn open_or_recover(dir: &Path) -> Result<(Store, Option<Recovery>), StoreError> {
        match Store::open(dir) {
            Ok(store) => Ok((store, None)),
            Err(error) if error.is_bad_file() => {
                let moved_to = move_aside(&dir.join(FILE_NAME))?;
                let store = Store::open(dir)?;
                Ok((store, Some(Recovery { error, moved_to })))
            }
            Err(error) => Err(error),
        }
    }

    /// The store `--data-dir` asks for: [`Store::none`] for `none`, else
    /// [`Store::open_or_recover`] of the directory.
    pub fn open_data_dir(dir: &DataDir) -> Result<(Store, Option<Recovery>), StoreError> {
        match dir {
            DataDir::None => Ok((Store::none(), None)),
            DataDir::Path(path) => Store::open_or_recover(path),
        }
    }

    /// A store that keeps nothing (`--data-dir none`): writes succeed and are
    /// dropped, lists are empty. The live server holds its sessions in memory
    /// anyway; this only means they end with the process.
    pub fn none() -> Store {
        Store { file: None }
    }

    /// Whether records outlive the process (false for [`Store::none`]).
    pub fn is_persistent(&self) -> bool {
        self.file.is_some()
    }

    /// The store file's path (`None` for [`Store::none`]).
    pub fn path(&self) -> Option<PathBuf> {
        self.file.as_ref().map(|f| lock(f).path().to_owned())
    }

    /// Writes `changes` in one transaction: all or none. Every change is checked
    /// first ([`StoreError::BadRecord`] names the record and field).
    pub fn apply(&self, changes: &[Change]) -> Result<(), StoreError> {
        changes.iter().try_for_each(check_change)?;
        match &self.file {
            Some(file) => lock(file).apply(changes),
            None => Ok(()),
        }
    }

    /// Inserts or replaces a session.
    pub fn upsert_session(&self, record: &SessionRecord) -> Result<(), StoreError> {
        self.apply(&[Change::PutSession(record.clone())])
    }

    /// Removes a session (no error if it is not there).
    pub fn remove_session(&self, id: Uuid) -> Result<(), StoreError> {
        self.apply(&[Change::RemoveSession(id)])
    }

    /// Every session, oldest first.
    pub fn list_sessions(&self) -> Result<Vec<SessionRecord>, StoreError> {
        self.file.as_ref().map_or(Ok(Vec::new()), |f| lock(f).sessions())
    }

    /// Inserts or replaces a room.
    pub fn upsert_room(&self, record: &RoomRecord) -> Result<(), StoreError> {
        self.apply(&[Change::PutRoom(record.clone())])
    }

    /// Removes a room (no error if it is not there).
    pub fn remove_room(&self, code: &str) -> Result<(), StoreError> {
        self.apply(&[Change::RemoveRoom(code.to_owned())])
    }

    /// Every room, by code.
    pub fn list_rooms(&self) -> Result<Vec<RoomRecord>, StoreError> {
        self.file.as_ref().map_or(Ok(Vec::new()), |f| lock(f).rooms())
    }

    /// Inserts or replaces an experiment.
    pub fn upsert_experiment(&self, record: &ExperimentRecord) -> Result<(), StoreError> {
        self.apply(&[Change::PutExperiment(record.clone())])
    }

    /// Removes an experiment (no error if it is not there).
    pub fn remove_experiment(&self, id: Uuid) -> Result<(), StoreError> {
        self.apply(&[Change::RemoveExperiment(id)])
    }

    /// Every experiment, by id.
    pub fn list_experiments(&self) -> Result<Vec<ExperimentRecord>, StoreError> {
        self.file.as_ref().map_or(Ok(Vec::new()), |f| lock(f).experiments())
    }

    /// Appends a finished task of an experiment.
    pub fn put_task(&self, row: &TaskRow) -> Result<(), StoreError> {
        self.apply(&[Change::PutTask(row.clone())])
    }

    /// The finished tasks of experiment `id`, by task id.
    pub fn list_tasks(&self, id: Uuid) -> Result<Vec<TaskRow>, StoreError> {
        self.file.as_ref().map_or(Ok(Vec::new()), |f| lock(f).tasks(id))
    }

    /// The bytes the store's files (the database, its WAL and journal) take on
    /// disk now; 0 for [`Store::none`]. Read from the file system, without the
    /// file's lock.
    pub fn bytes(&self) -> u64 {
        let Some(path) = self.path() else { return 0 };
        let size = |suffix: &str| {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            std::fs::metadata(PathBuf::from(name)).map_or(0, |m| m.len())
        };
        ["", "-wal", "-journal"].into_iter().map(size).sum()
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.path() {
            Some(path) => write!(f, "Store({})", path.display()),
            None => f.write_str("Store(none)"),
        }
    }
}

/// The file's lock. A panic elsewhere while it was held leaves the file as its
/// last transaction left it (SQLite rolled back the rest), so poisoning is ignored.
fn lock(file: &Mutex<StoreFile>) -> MutexGuard<'_, StoreFile> {
    file.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Renames `path` and its WAL and rollback-journal files, if any, to
/// `<name>.bad-<unix seconds>[-n]`, so a fresh store can take its place (a WAL
/// left behind would be read into the fresh file). Returns the new main path.
fn move_aside(path: &Path) -> Result<PathBuf, StoreError> {
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let with_suffix = |p: &Path, suffix: &str| {
        let mut name = p.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let to = (0u64..)
        .map(|n| if n == 0 { format!(".bad-{stamp}") } else { format!(".bad-{stamp}-{n}") })
        .map(|suffix| with_suffix(path, &suffix))
        .find(|candidate| !candidate.exists())
        .expect("an unbounded range always yields a free name");
    for extra in ["-wal", "-journal"] {
        let side = with_suffix(path, extra);
        if side.exists() {
            let side_to = with_suffix(&to, extra);
            std::fs::rename(&side, &side_to).map_err(|e| StoreError::MoveAside {
                path: side.clone(),
                to: side_to.clone(),
                detail: e.to_string(),
            })?;
        }
    }
    std::fs::rename(path, &to).map_err(|e| StoreError::MoveAside {
        path: path.to_owned(),
        to: to.clone(),
        detail: e.to_string(),
    })?;
    Ok(to)
}
