//! A checkpoint: the state of a run at one step, as replay records carry it.
//!
//! Step, current and best energy, and the [`StateDigest`] of the current state (FNV-1a
//! 64 over the state's documented bytes, see [`crate::digest`]). The annealer makes
//! checkpoints and [`crate::replay`] compares them; this file is what both share, so
//! neither has to import the other.

use serde::{Deserialize, Serialize};

use crate::digest::StateDigest;

/// The state of a run at one step.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Steps done.
    pub step: u64,
    /// Current energy.
    pub current_energy: f64,
    /// Best energy so far.
    pub best_energy: f64,
    /// [`StateDigest`] of the current state (FNV-1a 64), as 16 hex digits (JSON
    /// numbers lose bits past 2^53).
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

/// The [`StateDigest`] of a state, as a checkpoint records it.
pub fn state_hash<S: StateDigest + ?Sized>(state: &S) -> u64 {
    crate::digest::Digest::of(state)
}
