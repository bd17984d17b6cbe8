//! `TspError`: everything that can be wrong with a TSP instance, said to the user.
//!
//! Errors about a file name its 1-based line and quote the offending text, so a
//! teacher who typed a TSPLIB file by hand can fix it without reading the spec.

use super::{LARGE_STEP_MAX_CITIES, LARGE_STEP_MIN_CITIES, MAX_CITIES};

/// A TSP instance that cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TspError {
    /// `Tsp::bundled` with a name that is not bundled.
    #[error("unknown instance '{name}'; bundled instances: {known}")]
    UnknownInstance {
        /// The name asked for.
        name: String,
        /// The bundled names, comma-separated.
        known: String,
    },
    /// A random instance with too few or too many cities.
    #[error("cities: must be 3 to {MAX_CITIES}, not {cities}")]
    CityCount {
        /// The count asked for.
        cities: usize,
    },
    /// Large steps asked for an instance outside their size bounds.
    #[error(
        "moves: large steps need {LARGE_STEP_MIN_CITIES} to {LARGE_STEP_MAX_CITIES} cities, not {cities}"
    )]
    LargeStepCities {
        /// The instance's cities.
        cities: usize,
    },
    /// The text has no content at all.
    #[error("the file is empty; a TSPLIB file starts with lines such as 'NAME : x', 'DIMENSION : 52'")]
    Empty,
    /// A header line that is not `KEY : value` or a known section name.
    #[error("line {line}: expected 'KEYWORD : value' or a section name, found '{text}'")]
    MalformedLine {
        /// 1-based line number.
        line: usize,
        /// The line as written.
        text: String,
    },
    /// A header keyword Kiln does not know.
    #[error("line {line}: unknown keyword '{keyword}'")]
    UnknownKeyword {
        /// 1-based line number.
        line: usize,
        /// The keyword as written.
        keyword: String,
    },
    /// A keyword given twice.
    #[error("line {line}: {keyword} is given a second time (first on line {first_line})")]
    DuplicateKeyword {
        /// 1-based line number of the repeat.
        line: usize,
        /// The keyword.
        keyword: &'static str,
        /// Where it was first given.
        first_line: usize,
    },
    /// `TYPE` other than the one expected (TSP for instances, TOUR for tours).
    #[error("line {line}: TYPE '{value}' is not supported; Kiln reads TYPE : {expected}")]
    UnsupportedType {
        /// 1-based line number.
        line: usize,
        /// The type as written.
        value: String,
        /// The type Kiln reads here.
        expected: &'static str,
    },
    /// An `EDGE_WEIGHT_TYPE` other than EUC_2D.
    #[error("line {line}: EDGE_WEIGHT_TYPE '{value}' is not supported; Kiln reads EUC_2D only")]
    UnsupportedEdgeWeightType {
        /// 1-based line number.
        line: usize,
        /// The type as written.
        value: String,
    },
    /// A `NODE_COORD_TYPE` other than TWOD_COORDS.
    #[error("line {line}: NODE_COORD_TYPE '{value}' is not supported; Kiln reads TWOD_COORDS only")]
    UnsupportedNodeCoordType {
        /// 1-based line number.
        line: usize,
        /// The type as written.
        value: String,
    },
    /// A data section Kiln does not read (EDGE_WEIGHT_SECTION, DISPLAY_DATA_SECTION, ...).
    #[error("line {line}: section '{section}' is not supported; Kiln reads NODE_COORD_SECTION")]
    UnsupportedSection {
        /// 1-based line number.
        line: usize,
        /// The section name.
        section: String,
    },
    /// `DIMENSION` that is not a whole number.
    #[error("line {line}: DIMENSION '{value}' is not a whole number")]
    BadDimension {
        /// 1-based line number.
        line: usize,
        /// The value as written.
        value: String,
    },
    /// `DIMENSION` outside 3..=MAX_CITIES.
    #[error("line {line}: DIMENSION {dimension} is out of range; Kiln takes 3 to {MAX_CITIES} cities")]
    DimensionOutOfRange {
        /// 1-based line number.
        line: usize,
        /// The dimension given.
        dimension: usize,
    },
    /// A required keyword missing when the data section starts.
    #[error("line {line}: {keyword} must be given before {section}")]
    MissingKeyword {
        /// 1-based line number of the section.
        line: usize,
        /// The missing keyword.
        keyword: &'static str,
        /// The section that needs it.
        section: &'static str,
    },
    /// The text ends without the data section.
    #[error("line {line}: the file ends without a {section}")]
    MissingSection {
        /// Number of the last line.
        line: usize,
        /// The section expected.
        section: &'static str,
    },
    /// A node line without exactly three fields `id x y`.
    #[error("line {line}: expected a node line 'number x y', found '{text}'")]
    BadNodeLine {
        /// 1-based line number.
        line: usize,
        /// The line as written.
        text: String,
    },
    /// A node number that is not a whole number.
    #[error("line {line}: node number '{value}' is not a whole number")]
    BadNodeNumber {
        /// 1-based line number.
        line: usize,
        /// The value as written.
        value: String,
    },
    /// A node number outside 1..=DIMENSION.
    #[error("line {line}: node {node} is outside 1..={dimension} (DIMENSION)")]
    NodeOutOfRange {
        /// 1-based line number.
        line: usize,
        /// The node number given.
        node: i64,
        /// The declared dimension.
        dimension: usize,
    },
    /// A node listed twice.
    #[error("line {line}: node {node} is listed a second time (first on line {first_line})")]
    DuplicateNode {
        /// 1-based line number of the repeat.
        line: usize,
        /// The node number.
        node: usize,
        /// Where it was first listed.
        first_line: usize,
    },
    /// A coordinate that does not parse as a finite number.
    #[error("line {line}: coordinate '{value}' of node {node} is not a number")]
    BadCoordinate {
        /// 1-based line number.
        line: usize,
        /// The node number.
        node: usize,
        /// The value as written.
        value: String,
    },
    /// A coordinate too large for exact integer tour lengths.
    #[error("line {line}: coordinate '{value}' of node {node} is out of range (at most 1e9 in size)")]
    CoordinateOutOfRange {
        /// 1-based line number.
        line: usize,
        /// The node number.
        node: usize,
        /// The value as written.
        value: String,
    },
    /// The data section ended with nodes (tour entries) missing.
    #[error(
        "line {line}: found {found} of the {dimension} nodes DIMENSION declares; node {first_missing} is missing"
    )]
    MissingNodes {
        /// Line where the section ended.
        line: usize,
        /// Nodes found.
        found: usize,
        /// Nodes declared.
        dimension: usize,
        /// The smallest missing node number.
        first_missing: usize,
    },
    /// Something other than a node line inside a data section.
    #[error("line {line}: expected a node line or EOF, found '{text}'")]
    UnexpectedLine {
        /// 1-based line number.
        line: usize,
        /// The line as written.
        text: String,
    },
    /// A tour file for a different number of cities.
    #[error("line {line}: the tour has DIMENSION {tour} but the instance has {instance} cities")]
    TourDimensionMismatch {
        /// 1-based line number.
        line: usize,
        /// The tour's DIMENSION.
        tour: usize,
        /// The instance's city count.
        instance: usize,
    },
    /// A tour entry that is not a node number.
    #[error("line {line}: tour entry '{value}' is not a node number")]
    BadTourEntry {
        /// 1-based line number.
        line: usize,
        /// The value as written.
        value: String,
    },
}

impl TspError {
    /// The 1-based line the error is about, for errors about a file.
    pub fn line(&self) -> Option<usize> {
        use TspError::*;
        match self {
            UnknownInstance { .. } | CityCount { .. } | LargeStepCities { .. } | Empty => None,
            MalformedLine { line, .. }
            | UnknownKeyword { line, .. }
            | DuplicateKeyword { line, .. }
            | UnsupportedType { line, .. }
            | UnsupportedEdgeWeightType { line, .. }
            | UnsupportedNodeCoordType { line, .. }
            | UnsupportedSection { line, .. }
            | BadDimension { line, .. }
            | DimensionOutOfRange { line, .. }
            | MissingKeyword { line, .. }
            | MissingSection { line, .. }
            | BadNodeLine { line, .. }
            | BadNodeNumber { line, .. }
            | NodeOutOfRange { line, .. }
            | DuplicateNode { line, .. }
            | BadCoordinate { line, .. }
            | CoordinateOutOfRange { line, .. }
            | MissingNodes { line, .. }
            | UnexpectedLine { line, .. }
            | TourDimensionMismatch { line, .. }
            | BadTourEntry { line, .. } => Some(*line),
        }
    }
}
