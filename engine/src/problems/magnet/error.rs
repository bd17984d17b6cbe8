//! `MagnetError`: everything that can be wrong with a magnet instance, said to the user.
//!
//! Parameter errors name the parameter as the API spells it (`lattice`, `field`,
//! `gset`) and the value given; errors about edge-list text name the 1-based line
//! and quote it, as the TSPLIB parser does, so a hand-written graph can be fixed
//! without reading a format description.

use super::{MAX_EDGES, MAX_FIELD, MAX_LATTICE, MAX_SPINS, MAX_WEIGHT, MIN_LATTICE};

/// A magnet instance that cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MagnetError {
    /// A lattice side out of range.
    #[error("lattice: must be {MIN_LATTICE} to {MAX_LATTICE} spins on a side, not {size}")]
    LatticeSize {
        /// The side asked for.
        size: usize,
    },
    /// A field that is not a finite number within the bound.
    #[error("field: must be a finite number from -{MAX_FIELD} to {MAX_FIELD}, not {value}")]
    Field {
        /// The value as given.
        value: String,
    },
    /// A coupling name other than `ferro` or `glass`.
    #[error("coupling: must be \"ferro\" or \"glass\", not \"{0}\"")]
    UnknownCoupling(String),
    /// A site order other than `random` or `sequential`.
    #[error("sites: must be \"random\" or \"sequential\", not \"{0}\"")]
    UnknownSiteOrder(String),
    /// A start other than `random` or `up`.
    #[error("start: must be \"random\" or \"up\", not \"{0}\"")]
    UnknownStart(String),
    /// `Magnet::gset` with a name that is not bundled.
    #[error("gset: unknown graph '{name}'; bundled graphs: {known}")]
    UnknownGset {
        /// The name asked for.
        name: String,
        /// The bundled names, comma-separated.
        known: String,
    },
    /// The text has no content.
    #[error("the graph is empty; the first line must be 'n m' (spins and edges), e.g. '800 19176'")]
    Empty,
    /// The first line is not two whole numbers.
    #[error("line {line}: expected 'n m' (number of spins, number of edges), found '{text}'")]
    BadHeader {
        /// 1-based line number.
        line: usize,
        /// The line as written.
        text: String,
    },
    /// A spin count outside 1..=MAX_SPINS.
    #[error("line {line}: {spins} spins is out of range; Kiln takes 2 to {MAX_SPINS}")]
    SpinCount {
        /// 1-based line number.
        line: usize,
        /// The count given.
        spins: u64,
    },
    /// An edge count above MAX_EDGES.
    #[error("line {line}: {edges} edges is out of range; Kiln takes at most {MAX_EDGES}")]
    EdgeCount {
        /// 1-based line number.
        line: usize,
        /// The count given.
        edges: u64,
    },
    /// An edge line that is not `i j w` with whole numbers.
    #[error(
        "line {line}: expected a coupling 'i j w' (two spin numbers and a number) or a field 'h i value', found '{text}'"
    )]
    BadEdgeLine {
        /// 1-based line number.
        line: usize,
        /// The line as written.
        text: String,
    },
    /// A spin number outside 1..=n.
    #[error("line {line}: spin {spin} is outside 1..={spins} (the first line's n)")]
    SpinOutOfRange {
        /// 1-based line number.
        line: usize,
        /// The spin number given.
        spin: i64,
        /// Spins declared.
        spins: usize,
    },
    /// An edge from a spin to itself.
    #[error("line {line}: edge {spin} {spin} joins a spin to itself")]
    SelfLoop {
        /// 1-based line number.
        line: usize,
        /// The spin number.
        spin: usize,
    },
    /// A weight outside -MAX_WEIGHT..=MAX_WEIGHT.
    #[error("line {line}: weight {weight} is out of range; Kiln takes -{MAX_WEIGHT} to {MAX_WEIGHT}")]
    WeightOutOfRange {
        /// 1-based line number.
        line: usize,
        /// The weight given.
        weight: i64,
    },
    /// The same pair listed twice.
    #[error("line {line}: edge {i} {j} is listed a second time (first on line {first_line})")]
    DuplicateEdge {
        /// 1-based line number of the repeat.
        line: usize,
        /// The lower spin number.
        i: usize,
        /// The higher spin number.
        j: usize,
        /// Where it was first listed.
        first_line: usize,
    },
    /// A spin given a field twice.
    #[error("line {line}: spin {spin} is given a field a second time (first on line {first_line})")]
    DuplicateField {
        /// 1-based line number of the repeat.
        line: usize,
        /// The spin number.
        spin: usize,
        /// Where it was first given.
        first_line: usize,
    },
    /// A field of dimod's JSON that is missing or wrong.
    #[error("dimod JSON field '{field}': {message}")]
    Dimod {
        /// The JSON field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// Biases so large that even whole numbers overflow the engine's 32-bit local fields.
    #[error("the biases are too large: a spin's total |coupling| plus |field| must stay below about 10^9")]
    ModelTooLarge,
    /// A uniform field on a model that has per-spin fields.
    #[error(
        "field: the model has its own per-spin fields ('h' lines or linear biases); give them there, not as a uniform field"
    )]
    FieldOnModel,
    /// A different number of edge lines than the first line declares.
    #[error("line {line}: found {found} edges but the first line declares {declared}")]
    EdgeCountMismatch {
        /// The last line read.
        line: usize,
        /// Edge lines found.
        found: usize,
        /// Edges declared.
        declared: usize,
    },
}

impl MagnetError {
    /// The 1-based line the error is about, for errors about edge-list text.
    pub fn line(&self) -> Option<usize> {
        use MagnetError::*;
        match self {
            LatticeSize { .. }
            | Field { .. }
            | UnknownCoupling(_)
            | UnknownSiteOrder(_)
            | UnknownStart(_)
            | UnknownGset { .. }
            | Dimod { .. }
            | ModelTooLarge
            | FieldOnModel
            | Empty => None,
            BadHeader { line, .. }
            | SpinCount { line, .. }
            | EdgeCount { line, .. }
            | BadEdgeLine { line, .. }
            | SpinOutOfRange { line, .. }
            | SelfLoop { line, .. }
            | WeightOutOfRange { line, .. }
            | DuplicateEdge { line, .. }
            | DuplicateField { line, .. }
            | EdgeCountMismatch { line, .. } => Some(*line),
        }
    }
}
