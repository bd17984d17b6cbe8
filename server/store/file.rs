//! `StoreFile`: the store's SQLite file, its format checks and its tables.
//!
//! Opening checks, in this order, before anything is written: the file can be
//! read as SQLite at all (garbage bytes fail here), it is a Kiln store (the
//! `application_id` header field) or an empty file, its format (`user_version`)
//! is not newer than this build's, and `PRAGMA quick_check` finds no damage (a
//! truncated file fails here). Any failure is a [`StoreError`] naming the path.
//!
//! Durability: the file runs in WAL mode with `synchronous = NORMAL`. Every
//! committed transaction is in the WAL file when `commit` returns, so a process
//! killed at any moment (`kill -9`) loses nothing committed and never leaves a
//! torn file; an operating-system crash or power cut may lose the last
//! transactions, never the file. The connection holds the file with
//! `locking_mode = EXCLUSIVE`, so a second `kiln serve` on the same data
//! directory is refused ([`StoreError::InUse`]) instead of overwriting the
//! first one's sessions; as a side effect no `-shm` file is made.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, Transaction, params};
use uuid::Uuid;

use super::change::Change;
use super::error::StoreError;
use super::records::{ExperimentRecord, RoomRecord, RunState, SessionRecord, TaskRow};

/// The store format this build writes and the newest it reads (`PRAGMA user_version`).
/// Format 2 keeps a session's spec in `session_specs`, written when it changes (a
/// 500 KB tour uploaded is not rewritten with every durable frame), and each
/// experiment's tasks in `experiment_tasks`; it reads format 1 files as they are.
pub const FORMAT: i64 = 2;
/// Marks the SQLite file as Kiln's (`PRAGMA application_id`): "KILN" in ASCII.
const APPLICATION_ID: i64 = 0x4B49_4C4E;

/// The tables of format 1. `STRICT` makes SQLite refuse a value of the wrong type.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY NOT NULL,
    spec TEXT NOT NULL,
    step INTEGER NOT NULL,
    state TEXT NOT NULL,
    generation INTEGER NOT NULL,
    next_event_id INTEGER NOT NULL,
    control_token TEXT NOT NULL,
    steps_per_event INTEGER,
    max_events_per_sec REAL NOT NULL,
    room TEXT,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    state_digest TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS session_specs (
    id TEXT PRIMARY KEY NOT NULL,
    spec TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY NOT NULL,
    owner_token TEXT NOT NULL,
    session_id TEXT,
    active_at_ms INTEGER,
    class_experiment TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS experiments (
    id TEXT PRIMARY KEY NOT NULL,
    plan TEXT NOT NULL,
    token TEXT NOT NULL,
    results TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS experiment_tasks (
    experiment TEXT NOT NULL,
    task INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (experiment, task)
) STRICT, WITHOUT ROWID;
";

/// An open, checked store file.
pub struct StoreFile {
    path: PathBuf,
    conn: Connection,
}

impl StoreFile {
    /// Opens the store file at `path`, creating it if missing; see the module doc
    /// for the checks.
    pub fn open(path: &Path) -> Result<StoreFile, StoreError> {
        let unreadable = |detail: String| StoreError::Unreadable { path: path.to_owned(), detail };
        if path.is_dir() {
            return Err(unreadable("a directory is in its place".into()));
        }
        let conn = Connection::open(path).map_err(|e| unreadable(e.to_string()))?;
        let file = StoreFile { path: path.to_owned(), conn };
        // One connection per store: waiting for a lock would only mean waiting for
        // another process, which should be reported at once.
        file.conn.busy_timeout(Duration::ZERO).map_err(|e| file.open_error(e))?;
        let _mode: String = file
            .conn
            .pragma_update_and_check(None, "locking_mode", "EXCLUSIVE", |row| row.get(0))
            .map_err(|e| file.open_error(e))?;
        file.check_header()?;
        file.check_integrity()?;
        let mode: String = file
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(|e| file.open_error(e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(unreadable(format!("cannot switch it to WAL mode (it stays in '{mode}')")));
        }
        file.conn.pragma_update(None, "synchronous", "NORMAL").map_err(|e| file.open_error(e))?;
        file.conn
            .execute_batch(&format!(
                "BEGIN IMMEDIATE;{SCHEMA}PRAGMA application_id = {APPLICATION_ID};\
                 PRAGMA user_version = {FORMAT};COMMIT;"
            ))
            .map_err(|e| file.open_error(e))?;
        file.add_room_activity().map_err(|e| file.open_error(e))?;
        Ok(file)
    }

    /// A store made before rooms kept their last activity or their class experiment
    /// gets the columns (empty: such a room counts as idle since its restore, and has
    /// no class experiment).
    fn add_room_activity(&self) -> rusqlite::Result<()> {
        for (column, ty) in [("active_at_ms", "INTEGER"), ("class_experiment", "TEXT")] {
            let has: i64 = self.conn.query_row(
                "SELECT count(*) FROM pragma_table_info('rooms') WHERE name = ?1",
                [column],
                |row| row.get(0),
            )?;
            if has == 0 {
                self.conn.execute_batch(&format!("ALTER TABLE rooms ADD COLUMN {column} {ty}"))?;
            }
        }
        Ok(())
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A Kiln store of a format this build reads, or an empty database.
    fn check_header(&self) -> Result<(), StoreError> {
        let read = |name: &str| -> Result<i64, StoreError> {
            self.conn.pragma_query_value(None, name, |row| row.get(0)).map_err(|e| self.open_error(e))
        };
        let application_id = read("application_id")?;
        let version = read("user_version")?;
        if application_id != APPLICATION_ID && application_id != 0 {
            return Err(self.corrupt(format!(
                "not a Kiln store (SQLite application id {application_id:#x}, Kiln's is {APPLICATION_ID:#x})"
            )));
        }
        if application_id == 0 {
            let tables: i64 = self
                .conn
                .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
                .map_err(|e| self.open_error(e))?;
            if tables > 0 {
                return Err(self.corrupt("not a Kiln store (a SQLite database of another program)".into()));
            }
        }
        if version > FORMAT {
            return Err(StoreError::NewerFormat {
                path: self.path.clone(),
                found: version,
                supported: FORMAT,
            });
        }
        Ok(())
    }

    /// `PRAGMA quick_check`: every page reachable and well formed (linear in the file's size).
    fn check_integrity(&self) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA quick_check(3)").map_err(|e| self.open_error(e))?;
        let findings: Vec<String> = stmt
            .query_map([], |row| row.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.open_error(e))?;
        if findings.len() == 1 && findings[0] == "ok" {
            Ok(())
        } else {
            Err(self.corrupt(format!("integrity check failed: {}", findings.join("; "))))
        }
    }

    /// Writes `changes` in one transaction: all of them, or (on error) none.
    pub fn apply<'a>(&mut self, changes: impl IntoIterator<Item = &'a Change>) -> Result<(), StoreError> {
        let path = self.path.clone();
        let write_error = |e: rusqlite::Error| {
            classify(&path, e, StoreError::Write { path: path.clone(), detail: String::new() })
        };
        let tx = self.conn.transaction().map_err(write_error)?;
        for change in changes {
            write_change(&tx, change).map_err(write_error)?;
        }
        tx.commit().map_err(write_error)
    }

    /// Every session, oldest first.
    pub fn sessions(&self) -> Result<Vec<SessionRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT s.id, COALESCE(k.spec, s.spec), step, state, generation, next_event_id, control_token,
                        steps_per_event, max_events_per_sec, room, created_at_ms, updated_at_ms, state_digest
                 FROM sessions s LEFT JOIN session_specs k ON k.id = s.id ORDER BY created_at_ms, s.id",
            )
            .map_err(|e| self.read_error(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SessionRow {
                    id: r.get(0)?,
                    spec: r.get(1)?,
                    step: r.get(2)?,
                    state: r.get(3)?,
                    generation: r.get(4)?,
                    next_event_id: r.get(5)?,
                    control_token: r.get(6)?,
                    steps_per_event: r.get(7)?,
                    max_events_per_sec: r.get(8)?,
                    room: r.get(9)?,
                    created_at_ms: r.get(10)?,
                    updated_at_ms: r.get(11)?,
                    state_digest: r.get(12)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.read_error(e))?;
        rows.into_iter().map(|row| row.decode().map_err(|detail| self.corrupt(detail))).collect()
    }

    /// Every room, by code.
    pub fn rooms(&self) -> Result<Vec<RoomRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT code, owner_token, session_id, active_at_ms, class_experiment FROM rooms ORDER BY code",
            )
            .map_err(|e| self.read_error(e))?;
        type Row = (String, String, Option<String>, Option<i64>, Option<String>);
        let rows: Vec<Row> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.read_error(e))?;
        rows.into_iter()
            .map(|(code, owner_token, session_id, active_at_ms, class_experiment)| {
                let record = format!("room {code}");
                let id = |field: &str, text: Option<String>| {
                    text.map(|s| uuid(&record, field, &s)).transpose().map_err(|d| self.corrupt(d))
                };
                let session_id = id("session_id", session_id)?;
                let class_experiment = id("class_experiment", class_experiment)?;
                let active_at_ms = active_at_ms.and_then(|ms| u64::try_from(ms).ok());
                Ok(RoomRecord { code, owner_token, session_id, active_at_ms, class_experiment })
            })
            .collect()
    }

    /// Every experiment, by id.
    pub fn experiments(&self) -> Result<Vec<ExperimentRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, plan, token, results FROM experiments ORDER BY id")
            .map_err(|e| self.read_error(e))?;
        let rows: Vec<(String, String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.read_error(e))?;
        rows.into_iter()
            .map(|(id, plan, token, results)| {
                let id = uuid("an experiment", "id", &id).map_err(|d| self.corrupt(d))?;
                Ok(ExperimentRecord { id, plan, token, results })
            })
            .collect()
    }

    /// The finished tasks of experiment `id`, by task id.
    pub fn tasks(&self, id: Uuid) -> Result<Vec<TaskRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT task, event_id, record FROM experiment_tasks WHERE experiment = ?1 ORDER BY task",
            )
            .map_err(|e| self.read_error(e))?;
        let rows: Vec<(i64, i64, String)> = stmt
            .query_map([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.read_error(e))?;
        rows.into_iter()
            .map(|(task, event_id, record)| {
                let count = |field: &str, v: i64| {
                    u64::try_from(v)
                        .map_err(|_| self.corrupt(format!("experiment {id} task {task}: {field} is {v}")))
                };
                Ok(TaskRow {
                    experiment: id,
                    task: count("task", task)?,
                    event_id: count("event_id", event_id)?,
                    record,
                })
            })
            .collect()
    }

    fn corrupt(&self, detail: String) -> StoreError {
        StoreError::Corrupt { path: self.path.clone(), detail }
    }

    fn open_error(&self, e: rusqlite::Error) -> StoreError {
        classify(&self.path, e, StoreError::Unreadable { path: self.path.clone(), detail: String::new() })
    }

    fn read_error(&self, e: rusqlite::Error) -> StoreError {
        self.open_error(e)
    }
}

/// Maps SQLite's error to what it means for the store: damage, another process,
/// or else `otherwise` (an `Unreadable` or `Write` whose detail is filled in here).
fn classify(path: &Path, e: rusqlite::Error, otherwise: StoreError) -> StoreError {
    let detail = e.to_string();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            StoreError::Corrupt { path: path.to_owned(), detail }
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::InUse { path: path.to_owned() }
        }
        _ => match e {
            // A column of the wrong type can only come from a damaged or foreign file (the tables are STRICT).
            rusqlite::Error::InvalidColumnType(..) | rusqlite::Error::FromSqlConversionFailure(..) => {
                StoreError::Corrupt { path: path.to_owned(), detail }
            }
            _ => match otherwise {
                StoreError::Write { path, .. } => StoreError::Write { path, detail },
                StoreError::Unreadable { path, .. } => StoreError::Unreadable { path, detail },
                other => other,
            },
        },
    }
}

/// Writes one change inside `tx`. Records were checked by the caller ([`check_change`]).
fn write_change(tx: &Transaction<'_>, change: &Change) -> rusqlite::Result<()> {
    match change {
        Change::PutSession(s) => {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO sessions (id, spec, step, state, generation, next_event_id, control_token,
                    steps_per_event, max_events_per_sec, room, created_at_ms, updated_at_ms, state_digest)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                s.id.to_string(),
                "",
                as_sql(s.step),
                s.state.name(),
                as_sql(s.generation),
                as_sql(s.next_event_id),
                s.control_token,
                s.steps_per_event.map(as_sql),
                s.max_events_per_sec,
                s.room,
                as_sql(s.created_at_ms),
                as_sql(s.updated_at_ms),
                s.state_digest,
            ])?;
            // The spec (large for an uploaded tour) is written only when it changes.
            tx.prepare_cached(
                "INSERT INTO session_specs (id, spec) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET spec = excluded.spec WHERE spec != excluded.spec",
            )?
            .execute(params![s.id.to_string(), s.spec])?;
        }
        Change::RemoveSession(id) => {
            tx.prepare_cached("DELETE FROM sessions WHERE id = ?1")?.execute([id.to_string()])?;
            tx.prepare_cached("DELETE FROM session_specs WHERE id = ?1")?.execute([id.to_string()])?;
        }
        Change::PutRoom(r) => {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO rooms (code, owner_token, session_id, active_at_ms, class_experiment) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                r.code,
                r.owner_token,
                r.session_id.map(|id| id.to_string()),
                r.active_at_ms.and_then(|ms| i64::try_from(ms).ok()),
                r.class_experiment.map(|id| id.to_string())
            ])?;
        }
        Change::RemoveRoom(code) => {
            tx.prepare_cached("DELETE FROM rooms WHERE code = ?1")?.execute([code])?;
        }
        Change::PutExperiment(x) => {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO experiments (id, plan, token, results) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![x.id.to_string(), x.plan, x.token, x.results])?;
        }
        Change::RemoveExperiment(id) => {
            tx.prepare_cached("DELETE FROM experiments WHERE id = ?1")?.execute([id.to_string()])?;
            tx.prepare_cached("DELETE FROM experiment_tasks WHERE experiment = ?1")?
                .execute([id.to_string()])?;
        }
        Change::PutTask(t) => {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO experiment_tasks (experiment, task, event_id, record) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![t.experiment.to_string(), as_sql(t.task), as_sql(t.event_id), t.record])?;
        }
    }
    Ok(())
}

/// Checks that a change's values can be stored and read back as they are: counts
/// fit SQLite's signed 64-bit integers, the rate is finite (SQLite would keep NaN
/// as NULL), JSON fields are JSON.
pub fn check_change(change: &Change) -> Result<(), StoreError> {
    match change {
        Change::PutSession(s) => {
            let record = || format!("session {}", s.id);
            let counts = [
                ("step", Some(s.step)),
                ("generation", Some(s.generation)),
                ("next_event_id", Some(s.next_event_id)),
                ("steps_per_event", s.steps_per_event),
                ("created_at_ms", Some(s.created_at_ms)),
                ("updated_at_ms", Some(s.updated_at_ms)),
            ];
            for (field, value) in counts {
                if let Some(v) = value
                    && i64::try_from(v).is_err()
                {
                    return Err(bad(
                        record(),
                        field,
                        &v.to_string(),
                        "larger than the store keeps (2^63 - 1)",
                    ));
                }
            }
            if !s.max_events_per_sec.is_finite() {
                return Err(bad(
                    record(),
                    "max_events_per_sec",
                    &s.max_events_per_sec.to_string(),
                    "not a finite number",
                ));
            }
            json(record, "spec", &s.spec)
        }
        Change::PutExperiment(x) => {
            let record = || format!("experiment {}", x.id);
            json(record, "plan", &x.plan)?;
            json(record, "results", &x.results)
        }
        Change::PutTask(t) => {
            let record = || format!("experiment {} task {}", t.experiment, t.task);
            for (field, v) in [("task", t.task), ("event_id", t.event_id)] {
                if i64::try_from(v).is_err() {
                    return Err(bad(
                        record(),
                        field,
                        &v.to_string(),
                        "larger than the store keeps (2^63 - 1)",
                    ));
                }
            }
            json(record, "record", &t.record)
        }
        Change::PutRoom(r) if r.code.is_empty() => Err(bad("a room".into(), "code", "''", "empty")),
        _ => Ok(()),
    }
}

fn json(record: impl Fn() -> String, field: &'static str, text: &str) -> Result<(), StoreError> {
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Ok(_) => Ok(()),
        Err(_) => Err(bad(record(), field, text, "not JSON")),
    }
}

fn bad(record: String, field: &'static str, value: &str, problem: &'static str) -> StoreError {
    const LONGEST: usize = 80;
    let value = match value.char_indices().nth(LONGEST) {
        Some((cut, _)) => format!("'{}...'", &value[..cut]),
        None => format!("'{value}'"),
    };
    StoreError::BadRecord { record, field, value, problem }
}

/// A count as SQLite's integer; [`check_change`] has ruled out values above `i64::MAX`.
fn as_sql(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A session row as SQLite returns it, before its values are checked.
struct SessionRow {
    id: String,
    spec: String,
    step: i64,
    state: String,
    generation: i64,
    next_event_id: i64,
    control_token: String,
    steps_per_event: Option<i64>,
    max_events_per_sec: f64,
    room: Option<String>,
    created_at_ms: i64,
    updated_at_ms: i64,
    state_digest: String,
}

impl SessionRow {
    /// The record, or what is wrong with the row (it can only be wrong in a damaged or hand-edited file).
    fn decode(self) -> Result<SessionRecord, String> {
        let id = uuid("a session", "id", &self.id)?;
        let record = format!("session {id}");
        let count =
            |field: &str, v: i64| u64::try_from(v).map_err(|_| format!("{record}: {field} {v} is negative"));
        let state = RunState::from_name(&self.state).ok_or_else(|| {
            format!("{record}: state '{}' is none of idle, running, paused, complete", self.state)
        })?;
        Ok(SessionRecord {
            id,
            spec: self.spec,
            step: count("step", self.step)?,
            state,
            generation: count("generation", self.generation)?,
            next_event_id: count("next_event_id", self.next_event_id)?,
            control_token: self.control_token,
            steps_per_event: self.steps_per_event.map(|v| count("steps_per_event", v)).transpose()?,
            max_events_per_sec: self.max_events_per_sec,
            room: self.room,
            created_at_ms: count("created_at_ms", self.created_at_ms)?,
            updated_at_ms: count("updated_at_ms", self.updated_at_ms)?,
            state_digest: self.state_digest,
        })
    }
}

fn uuid(record: &str, field: &str, text: &str) -> Result<Uuid, String> {
    Uuid::parse_str(text).map_err(|_| format!("{record}: {field} '{text}' is not a UUID"))
}
