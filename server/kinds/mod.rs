//! Problem kinds as plugins: the [`Kind`] trait, the parameter table every rule is
//! derived from, the run object that hides the engine's generic `Annealer<P>`, and
//! the [`Registry`], the one list of kinds. Nothing outside this folder (and the
//! renderers it calls) names a kind.

pub mod anneal;
pub mod check;
pub mod common;
pub mod curve;
pub mod isomer;
pub mod json_body;
pub mod kind;
pub mod magnet;
pub mod param;
pub mod registry;
pub mod resolve;
pub mod run;
pub mod settings;
pub mod tsp;

pub use kind::{
    Built, Captions, Counter, Defaults, Kind, Preset, Scope, Spec, TemperingDefaults, Values, View,
};
pub use param::{Group, Param, ParamError, ParamType};
pub use registry::Registry;
pub use resolve::{Request, Resolved};
pub use run::{Anneal, Annealed, Progress, Ready, Run, StateView};
