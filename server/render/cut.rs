//! The drawing of a max-cut graph (issue 22, D10): the two sides of the cut side by
//! side, so the cut itself is what the eye sees.
//!
//! Vertex i keeps its height for the whole run (its rank `i` of `n`, top to bottom)
//! and stands in the left band when its spin is up (+1) and in the right band when
//! it is down (-1), at a fixed, hashed offset inside the band so that the edges of
//! one side do not fall on one line. An edge whose ends are on different sides (a
//! cut edge) therefore crosses the empty middle, drawn in [`CUT_COLOUR`] over the
//! grey edges that stay on one side: as the anneal raises the cut, the grey inside
//! the bands thins and the green across the middle thickens. A vertex flipped by a
//! step jumps to the other band at its own height.
//!
//! Bounded for any graph: at most [`MAX_DRAWN_EDGES`] edges (a fixed sample, every
//! k-th of the edge list, the same on every frame, so a frame differs from the last
//! only by what changed) and at most [`MAX_DRAWN_VERTICES`] vertices (above that,
//! every k-th); the root says so in `data-simplified`. Such a drawing is at most
//! [`MAX_CUT_BYTES`]. When every vertex is drawn the root lists their positions in
//! `data-atoms`, so the page can mark a teaching step's flipped vertex and its
//! neighbours; `data-key` gives the colours' meaning, `data-cut` the number of cut
//! edges drawn.

use std::fmt::Write;

use svg::Document;
use svg::node::element::{Path, Text};

use super::number::view_box;

/// Colour of a vertex on the up (+1) side: orange, as an up spin on a lattice.
const UP_COLOUR: &str = "#e8590c";
/// Colour of a vertex on the down (-1) side: a mid blue, as a down spin.
const DOWN_COLOUR: &str = "#3b82c4";
/// Colour of a cut edge: a green distinct from both sides' colours.
const CUT_COLOUR: &str = "#2f9e44";
/// Colour of an edge inside one side.
const KEPT_COLOUR: &str = "#adb5bd";
/// Most edges drawn.
pub const MAX_DRAWN_EDGES: usize = 2_000;
/// Most vertices drawn.
pub const MAX_DRAWN_VERTICES: usize = 2_000;
/// Width of the drawing in user units.
const WIDTH: u32 = 1_000;
/// Height of the drawing in user units.
const HEIGHT: u32 = 700;
/// Top and bottom margin, where the sides' labels go.
const MARGIN: u32 = 40;
/// Width of each side's band.
const BAND: u32 = 320;
/// Upper bound of a drawing's bytes: each drawn edge at most 20 bytes
/// ("M1000,1000 1000,1000"), each vertex at most 21 in its dot and 9 in
/// `data-atoms`, and 1 KB for the root, the labels and the attributes.
pub const MAX_CUT_BYTES: usize = MAX_DRAWN_EDGES * 20 + MAX_DRAWN_VERTICES * 30 + 1_024;

/// The SVG of the cut that `spins` make in a graph of `edges` (each `(i, j)` once,
/// 0-based; `edge_count` of them, which fixes the sample drawn).
pub fn cut_svg(spins: &[i8], edges: impl Iterator<Item = (usize, usize)>, edge_count: usize) -> String {
    let n = spins.len();
    let place = |i: usize| -> (u32, u32) {
        let y = MARGIN + ((i as u64 * 2 + 1) * u64::from(HEIGHT - 2 * MARGIN) / (2 * n.max(1) as u64)) as u32;
        let offset = (mix(i as u64) % u64::from(BAND)) as u32;
        let x = if spins[i] > 0 { MARGIN / 2 + offset } else { WIDTH - MARGIN / 2 - BAND + offset };
        (x, y)
    };
    let every_edge = edge_count.div_ceil(MAX_DRAWN_EDGES).max(1);
    let (mut cut, mut kept, mut cut_drawn) = (String::new(), String::new(), 0usize);
    for (i, j) in edges.step_by(every_edge).filter(|&(i, j)| i < n && j < n) {
        let ((xi, yi), (xj, yj)) = (place(i), place(j));
        let is_cut = (spins[i] > 0) != (spins[j] > 0);
        cut_drawn += usize::from(is_cut);
        let _ = write!(if is_cut { &mut cut } else { &mut kept }, "M{xi},{yi} {xj},{yj}");
    }
    let every_vertex = n.div_ceil(MAX_DRAWN_VERTICES).max(1);
    let (mut up, mut down, mut up_count) = (String::new(), String::new(), 0usize);
    for i in (0..n).step_by(every_vertex) {
        let (x, y) = place(i);
        up_count += usize::from(spins[i] > 0);
        let _ = write!(if spins[i] > 0 { &mut up } else { &mut down }, "M{x},{y}h0");
    }
    let drawn_vertices = n.div_ceil(every_vertex);
    let dot = (10.0 * (200.0 / drawn_vertices.max(1) as f64).sqrt()).clamp(3.0, 10.0).round();

    let mut document = Document::new()
        .set("viewBox", view_box(0.0, 0.0, f64::from(WIDTH), f64::from(HEIGHT)))
        .set(
            "data-key",
            format!("{UP_COLOUR} one side of the cut;{DOWN_COLOUR} the other side;{CUT_COLOUR} a cut edge"),
        )
        .set("data-cut", cut_drawn);
    if every_vertex == 1 {
        let mut atoms = String::new();
        for i in 0..n {
            let (x, y) = place(i);
            let _ = write!(atoms, "{}{x},{y}", if i > 0 { " " } else { "" });
        }
        document = document.set("data-atoms", atoms);
    }
    if every_edge > 1 || every_vertex > 1 {
        let drawn_edges = edge_count.div_ceil(every_edge);
        document = document.set(
            "data-simplified",
            format!("{drawn_edges} of {edge_count} edges and {drawn_vertices} of {n} vertices drawn"),
        );
    }
    // Many edges thin out and fade, so a dense graph's bands still show through.
    let (width, opacity) = if drawn_vertices > 200 { (0.6, 0.45) } else { (1.5, 0.8) };
    for (class, d, colour) in [("kept", kept, KEPT_COLOUR), ("cut", cut, CUT_COLOUR)] {
        if !d.is_empty() {
            document = document.add(
                Path::new()
                    .set("class", class)
                    .set("d", d)
                    .set("stroke", colour)
                    .set("stroke-width", width)
                    .set("stroke-opacity", opacity),
            );
        }
    }
    for (class, d, colour) in [("up", up, UP_COLOUR), ("down", down, DOWN_COLOUR)] {
        if !d.is_empty() {
            document = document.add(
                Path::new()
                    .set("class", class)
                    .set("d", d)
                    .set("stroke", colour)
                    .set("stroke-width", dot)
                    .set("stroke-linecap", "round"),
            );
        }
    }
    let down_count = drawn_vertices - up_count;
    for (x, label) in [
        (MARGIN / 2 + BAND / 2, format!("one side ({up_count})")),
        (WIDTH - MARGIN / 2 - BAND / 2, format!("the other side ({down_count})")),
    ] {
        document = document.add(
            Text::new(label)
                .set("x", x)
                .set("y", MARGIN - 12)
                .set("text-anchor", "middle")
                .set("font-family", "sans-serif")
                .set("font-size", 26)
                .set("fill", "#495057"),
        );
    }
    let cut_label = if every_edge > 1 {
        format!("{cut_drawn} of the drawn edges cross the cut")
    } else {
        format!("{cut_drawn} edges cross the cut")
    };
    document = document.add(
        Text::new(cut_label)
            .set("x", WIDTH / 2)
            .set("y", HEIGHT - 12)
            .set("text-anchor", "middle")
            .set("font-family", "sans-serif")
            .set("font-size", 26)
            .set("fill", CUT_COLOUR),
    );
    document.to_string()
}

/// A fixed scramble of a vertex number (splitmix64's finaliser), for its offset in
/// its band.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
