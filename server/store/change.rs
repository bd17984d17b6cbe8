//! `Change`: one write to the store (a record put or removed), and the key it
//! writes to.
//!
//! [`crate::store::Store::apply`] writes a slice of changes in one transaction;
//! the coalescing writer keeps, per key, only the newest change not yet written,
//! which is how a session stepping at 20 frames a second costs one write a second.

use uuid::Uuid;

use super::records::{ExperimentRecord, RoomRecord, SessionRecord, TaskRow};

/// One record written or removed.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Insert or replace a session.
    PutSession(SessionRecord),
    /// Remove a session (no error if it is not there).
    RemoveSession(Uuid),
    /// Insert or replace a room.
    PutRoom(RoomRecord),
    /// Remove a room by code.
    RemoveRoom(String),
    /// Insert or replace an experiment.
    PutExperiment(ExperimentRecord),
    /// Remove an experiment (and its tasks).
    RemoveExperiment(Uuid),
    /// Append a finished task of an experiment.
    PutTask(TaskRow),
}

/// The record a change writes to: two changes with one key overwrite each other.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// A session, by id.
    Session(Uuid),
    /// A room, by code.
    Room(String),
    /// An experiment, by id.
    Experiment(Uuid),
    /// A task of an experiment, by experiment and task id.
    Task(Uuid, u64),
}

impl Change {
    /// The record this change writes to.
    pub fn key(&self) -> Key {
        match self {
            Change::PutSession(s) => Key::Session(s.id),
            Change::RemoveSession(id) => Key::Session(*id),
            Change::PutRoom(r) => Key::Room(r.code.clone()),
            Change::RemoveRoom(code) => Key::Room(code.clone()),
            Change::PutExperiment(e) => Key::Experiment(e.id),
            Change::RemoveExperiment(id) => Key::Experiment(*id),
            Change::PutTask(t) => Key::Task(t.experiment, t.task),
        }
    }
}
