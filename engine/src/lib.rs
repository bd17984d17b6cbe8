//! `kiln-engine`: Kiln's simulated-annealing engine and its problems.
//!
//! Pure computation: no I/O, no async, no HTTP, no drawing. The parts:
//!
//! * [`Problem`] (what is annealed) and the problems in [`problems`];
//! * [`Annealer`] (how: step-by-step SA with exact parallel neighbour scoring, and
//!   [`StepView`], one step shown to an observer), [`Schedule`] (the temperature of
//!   every step) and [`acceptance`] (the Metropolis test, mostly without an `exp`);
//! * [`Tempering`] (replica exchange: annealers on a temperature ladder that swap
//!   configurations, in parallel and bit-reproducible, see [`tempering`]);
//! * [`rng`] (per-step ChaCha randomness, the root of determinism), [`replay`]
//!   (checkpoints that prove a run reproduces, each a [`checkpoint`]) and [`digest`] (the platform-independent
//!   state fingerprint those checkpoints carry).
//!
//! ```
//! use kiln_engine::{AnnealConfig, Annealer, problems::toy::Ruggedness};
//! let mut sa = Annealer::new(Ruggedness::new(64, 0), AnnealConfig::default()).unwrap();
//! sa.run(1_000);
//! assert_eq!(sa.snapshot().step, 1_000);
//! ```

pub mod acceptance;
pub mod annealer;
pub mod checkpoint;
pub mod config;
pub mod digest;
pub mod problem;
pub mod problems;
pub mod replay;
pub mod rng;
pub mod schedule;
pub mod tempering;

pub use annealer::{Annealer, Counters, Snapshot, StepOutcome, StepView, Verdict};
pub use checkpoint::Checkpoint;
pub use config::{AnnealConfig, Batch, ConfigError, Direction, Ladder, TemperingConfig};
pub use digest::{Digest, StateDigest};
pub use problem::{InvalidKind, Problem, Proposal};
pub use replay::{RecordError, ReplayRecord};
pub use rng::{Generator, StepRng};
pub use schedule::{Schedule, ScheduleKind};
pub use tempering::{SwapTry, Tempering, TemperingReport};
