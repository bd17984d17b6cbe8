//! SVG renderers for the live view: a TSP tour, a molecule's skeletal formula, a
//! grid of spins, a max-cut graph's two sides and the QR code of a watch link.
//!
//! Every document has a `viewBox` and no fixed pixel size (the page scales it),
//! no scripts, XML-escaped text, and deterministic bytes: coordinates are
//! rounded to a fixed precision before they are written, so the same input
//! always yields the same string and the stream can skip unchanged drawings.

pub mod cut;
pub mod lattice;
pub mod molecule;
pub mod qr;
pub mod tsp;

mod number;
