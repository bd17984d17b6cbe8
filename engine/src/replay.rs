//! Replay records: checkpoints that prove a run is reproducible.
//!
//! A record is the run's description (problem spec, config) plus checkpoints every
//! N steps: step, current and best energy, and a 64-bit digest of the state. Re-running
//! the description must reproduce every checkpoint exactly; the first one that
//! differs names the step where two runs diverged.
//!
//! **Format 2** (`"format": 2`, the only one this build reads or writes). The JSON
//! object has the fields `format`, `problem` (the caller's spec), `config` (an
//! [`AnnealConfig`]), `checkpoint_every`, `checkpoints` and, optionally, `outcome`
//! (free-form facts for the reader, never verified); a checkpoint has `step`,
//! `current_energy`, `best_energy` (JSON numbers that round-trip `f64` exactly) and
//! `state_hash`, 16 lowercase hex digits. The state hash is FNV-1a 64 over the bytes
//! the state writes through [`crate::digest::StateDigest`]: integers little-endian at fixed widths
//! (never `usize`), sequences prefixed with their length as a `u64`, each state's
//! field order documented on its impl (a TSP tour: city count, then each city as a
//! `u32`; an isomer molecule: atoms with element and hydrogens, then its bonds). So a
//! record made today verifies with any later build on any platform; the golden
//! records under `tests/golden/` are held to that.
//!
//! Format 1 (`"format": "kiln-replay/1"`) hashed states with std `Hash`, whose output
//! Rust does not promise to keep: such a record cannot be verified, and reading one
//! is a clear [`RecordError::FormatOne`], not a guess.

use serde::{Deserialize, Serialize};

use crate::annealer::Annealer;
pub use crate::checkpoint::{Checkpoint, state_hash};
use crate::config::AnnealConfig;
use crate::problem::Problem;

/// The record format this build writes and reads.
pub const RECORD_FORMAT: u32 = 2;
/// How format 1 records named their format.
const FORMAT_ONE_TAG: &str = "kiln-replay/1";

/// Why a record cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// A format 1 record: its hashes cannot be reproduced.
    #[error(
        "format 1 record (\"kiln-replay/1\"): its state hashes came from Rust's std Hash, \
         whose output no build promises to keep, so it cannot be verified; \
         record the run again to get a format {RECORD_FORMAT} record"
    )]
    FormatOne,
    /// A `format` this build does not know.
    #[error("format {found}: this build reads replay records of format {RECORD_FORMAT} only")]
    UnknownFormat {
        /// The `format` value as written in the record.
        found: String,
    },
    /// Not JSON, no `format`, or a field missing or of the wrong type.
    #[error("not a Kiln replay record: {0}")]
    Malformed(String),
}

/// A reproducible run: what was run and what it went through.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayRecord<Spec> {
    /// Always [`RECORD_FORMAT`]; other values are refused when a record is read.
    #[serde(deserialize_with = "format_version")]
    pub format: u32,
    /// The problem, as the caller describes it (e.g. a TSP instance or a formula).
    pub problem: Spec,
    /// The annealing parameters.
    pub config: AnnealConfig,
    /// Steps between checkpoints.
    pub checkpoint_every: u64,
    /// Checkpoints at step 0, every `checkpoint_every` steps, and the last step.
    pub checkpoints: Vec<Checkpoint>,
    /// What the run found and what made it, for the reader (the writer's version, the
    /// instance, the best state and energy, resolved temperatures); optional and never
    /// verified: the checkpoints are the proof. Absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<serde_json::Value>,
}

impl<Spec> ReplayRecord<Spec> {
    /// A format 2 record.
    pub fn new(
        problem: Spec,
        config: AnnealConfig,
        checkpoint_every: u64,
        checkpoints: Vec<Checkpoint>,
    ) -> Self {
        Self { format: RECORD_FORMAT, problem, config, checkpoint_every, checkpoints, outcome: None }
    }

    /// The same record with an `outcome` (see [`ReplayRecord::outcome`]).
    pub fn with_outcome(mut self, outcome: serde_json::Value) -> Self {
        self.outcome = Some(outcome);
        self
    }
}

impl<Spec: serde::de::DeserializeOwned> ReplayRecord<Spec> {
    /// Read a record from its JSON text. The format is checked first, so a record of
    /// another format is reported as such even if its other fields changed too.
    pub fn from_json(text: &str) -> Result<Self, RecordError> {
        #[derive(Deserialize)]
        struct FormatOnly {
            format: Option<serde_json::Value>,
        }
        let head: FormatOnly =
            serde_json::from_str(text).map_err(|e| RecordError::Malformed(e.to_string()))?;
        check_format(head.format.as_ref())?;
        serde_json::from_str(text).map_err(|e| RecordError::Malformed(e.to_string()))
    }
}

/// Accept exactly `"format": 2`.
fn check_format(format: Option<&serde_json::Value>) -> Result<(), RecordError> {
    match format {
        None => Err(RecordError::Malformed("missing field `format`".into())),
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(RECORD_FORMAT)) => Ok(()),
        Some(serde_json::Value::String(s)) if s == FORMAT_ONE_TAG => Err(RecordError::FormatOne),
        Some(other) => Err(RecordError::UnknownFormat { found: other.to_string() }),
    }
}

/// `format` for serde: the same check as [`ReplayRecord::from_json`], so a record read
/// through plain `serde_json::from_str` also names a wrong format clearly.
fn format_version<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    check_format(Some(&value)).map_err(serde::de::Error::custom)?;
    Ok(RECORD_FORMAT)
}

/// Where a replay first differs from its record.
#[derive(Clone, Debug, PartialEq)]
pub enum Divergence {
    /// The checkpoint at this index differs.
    Checkpoint {
        /// What the record says.
        expected: Checkpoint,
        /// What the replay produced.
        actual: Checkpoint,
    },
    /// The replay produced a different number of checkpoints.
    Length {
        /// Checkpoints in the record.
        expected: usize,
        /// Checkpoints in the replay.
        actual: usize,
    },
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Divergence::Checkpoint { expected, actual } => {
                write!(f, "diverged at step {}:", expected.step)?;
                if expected.step != actual.step {
                    write!(f, " step {} != {}", expected.step, actual.step)?;
                }
                if expected.current_energy.to_bits() != actual.current_energy.to_bits() {
                    write!(f, " current_energy {} != {}", expected.current_energy, actual.current_energy)?;
                }
                if expected.best_energy.to_bits() != actual.best_energy.to_bits() {
                    write!(f, " best_energy {} != {}", expected.best_energy, actual.best_energy)?;
                }
                if expected.state_hash != actual.state_hash {
                    write!(f, " state_hash {:016x} != {:016x}", expected.state_hash, actual.state_hash)?;
                }
                Ok(())
            }
            Divergence::Length { expected, actual } => {
                write!(f, "the record has {expected} checkpoints, the replay {actual}")
            }
        }
    }
}

/// Run `annealer` to completion, taking a checkpoint at step 0, every `every` steps
/// and at the end. `on_checkpoint` sees each (for progress display).
pub fn record_checkpoints<P: Problem>(
    annealer: &mut Annealer<P>,
    every: u64,
    mut on_checkpoint: impl FnMut(&Annealer<P>),
) -> Vec<Checkpoint> {
    let every = every.max(1);
    let mut checkpoints = vec![annealer.checkpoint()];
    while !annealer.is_complete() {
        let until_next = every - annealer.steps_done() % every;
        annealer.run(until_next);
        checkpoints.push(annealer.checkpoint());
        on_checkpoint(annealer);
    }
    checkpoints
}

/// The first checkpoint where `actual` differs from `expected` (bitwise on energies).
pub fn first_divergence(expected: &[Checkpoint], actual: &[Checkpoint]) -> Option<Divergence> {
    let same = |a: &Checkpoint, b: &Checkpoint| {
        a.step == b.step
            && a.current_energy.to_bits() == b.current_energy.to_bits()
            && a.best_energy.to_bits() == b.best_energy.to_bits()
            && a.state_hash == b.state_hash
    };
    for (e, a) in expected.iter().zip(actual) {
        if !same(e, a) {
            return Some(Divergence::Checkpoint { expected: *e, actual: *a });
        }
    }
    (expected.len() != actual.len())
        .then_some(Divergence::Length { expected: expected.len(), actual: actual.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record_text(format: &str) -> String {
        let config = serde_json::to_string(&AnnealConfig::default()).unwrap();
        format!(
            r#"{{"format": {format}, "problem": "x", "config": {config}, "checkpoint_every": 1,
            "checkpoints": [{{"step": 0, "current_energy": 1.0, "best_energy": 1.0, "state_hash": "00000000000000ff"}}]}}"#
        )
    }

    #[test]
    fn a_format_two_record_round_trips_through_json() {
        let record = ReplayRecord::<String>::from_json(&record_text("2")).unwrap();
        assert_eq!(record.format, 2);
        assert_eq!(record.checkpoints[0].state_hash, 255);
        let again = serde_json::to_string(&record).unwrap();
        assert!(again.starts_with(r#"{"format":2,"#), "{again}");
        assert_eq!(ReplayRecord::<String>::from_json(&again).unwrap(), record);
    }

    #[test]
    fn a_format_one_record_is_refused_with_a_reason() {
        for read in [
            |t: &str| ReplayRecord::<String>::from_json(t).map_err(|e| e.to_string()),
            |t: &str| serde_json::from_str::<ReplayRecord<String>>(t).map_err(|e| e.to_string()),
        ] {
            let err = read(&record_text(r#""kiln-replay/1""#)).unwrap_err();
            assert!(err.contains("format 1") && err.contains("cannot be verified"), "{err}");
        }
        let err = ReplayRecord::<String>::from_json(&record_text(r#""kiln-replay/1""#)).unwrap_err();
        assert!(matches!(err, RecordError::FormatOne), "{err}");
    }

    #[test]
    fn other_formats_and_non_records_are_named_not_guessed() {
        let err = ReplayRecord::<String>::from_json(&record_text("3")).unwrap_err();
        assert_eq!(err.to_string(), "format 3: this build reads replay records of format 2 only");
        let err = ReplayRecord::<String>::from_json(r#"{"problem": "x"}"#).unwrap_err();
        assert!(err.to_string().contains("format"), "{err}");
        for text in ["", "[1, 2]", "{\"format\": 2", "null"] {
            assert!(
                matches!(ReplayRecord::<String>::from_json(text), Err(RecordError::Malformed(_))),
                "{text}"
            );
        }
    }

    #[test]
    fn checkpoints_round_trip_through_json_exactly() {
        let c =
            Checkpoint { step: 5, current_energy: 0.1 + 0.2, best_energy: -3.5, state_hash: u64::MAX - 1 };
        let back: Checkpoint = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(first_divergence(&[c], &[back]), None);
    }

    #[test]
    fn the_first_differing_checkpoint_is_named() {
        let a = Checkpoint { step: 0, current_energy: 1.0, best_energy: 1.0, state_hash: 1 };
        let b = Checkpoint { step: 10, current_energy: 2.0, best_energy: 1.0, state_hash: 2 };
        let mut edited = b;
        edited.state_hash = 3;
        let d = first_divergence(&[a, b], &[a, edited]).expect("diverges");
        assert!(d.to_string().contains("step 10"), "{d}");
        assert!(first_divergence(&[a, b], &[a]).is_some());
    }
}
