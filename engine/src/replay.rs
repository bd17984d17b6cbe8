//! Replay records: checkpoints that prove a run is reproducible.
//!
//! A record is the run's description (problem spec, config) plus checkpoints every
//! N steps: step, current and best energy, and a 64-bit hash of the state. Re-running
//! the description must reproduce every checkpoint exactly; the first one that
//! differs names the step where two runs diverged.

use std::hash::Hasher;

use serde::{Deserialize, Serialize};

use crate::annealer::Annealer;
use crate::config::AnnealConfig;
use crate::problem::Problem;

/// The format tag written into every record.
pub const RECORD_FORMAT: &str = "kiln-replay/1";

/// FNV-1a, 64-bit: a hasher whose output is fixed by its input bytes alone
/// (std's `DefaultHasher` is randomly keyed per process and so unusable here).
#[derive(Clone, Copy, Debug)]
pub struct StableHasher(u64);

impl Default for StableHasher {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The state of a run at one step.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Steps done.
    pub step: u64,
    /// Current energy.
    pub current_energy: f64,
    /// Best energy so far.
    pub best_energy: f64,
    /// Hash of the current state, as 16 hex digits (JSON numbers lose bits past 2^53).
    #[serde(with = "hex_u64")]
    pub state_hash: u64,
}

mod hex_u64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:016x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let text = String::deserialize(d)?;
        u64::from_str_radix(&text, 16)
            .map_err(|_| serde::de::Error::custom(format!("state_hash {text:?} is not 16 hex digits")))
    }
}

/// A reproducible run: what was run and what it went through.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayRecord<Spec> {
    /// Always [`RECORD_FORMAT`].
    pub format: String,
    /// The problem, as the caller describes it (e.g. a TSP instance or a formula).
    pub problem: Spec,
    /// The annealing parameters.
    pub config: AnnealConfig,
    /// Steps between checkpoints.
    pub checkpoint_every: u64,
    /// Checkpoints at step 0, every `checkpoint_every` steps, and the last step.
    pub checkpoints: Vec<Checkpoint>,
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

    #[test]
    fn stable_hasher_is_fnv1a() {
        let mut h = StableHasher::default();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
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
