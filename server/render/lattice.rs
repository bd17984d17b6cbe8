//! The drawing of Ising spins: a grid of unit squares, one per spin, coloured by
//! its sign. A lattice is drawn L x L in its own layout; a model's spins (which
//! have no positions) fill a near-square grid in index order. A max-cut graph is
//! drawn by `render::cut`, its two sides apart.
//!
//! To stay small, the down spins are one background rectangle and the up spins
//! one path of horizontal strokes, a stroke per run of equal spins in a row
//! (`m` moves relative to the last run's end). A random 64 x 64 lattice, the worst
//! case, is under 16 KB; an ordered one is a few hundred bytes. Integer
//! coordinates only, so equal spins always give equal bytes. The root carries
//! `data-columns` (spins per row; spin i's cell is column i mod it, row i div
//! it), so the page can mark a teaching step's flipped spin and its neighbours.
//!
//! The root carries its colour key as `data-key` (`COLOUR label;COLOUR label`): spin
//! up and spin down. The page shows
//! it beside the drawing (issue 22, D10) without knowing what was drawn.

use std::fmt::Write;

use svg::Document;
use svg::node::element::{Path, Rectangle};

use super::number::view_box;

/// Colour of an up spin (+1): orange.
const UP_COLOUR: &str = "#e8590c";
/// Colour of a down spin (-1): a mid blue, legible on white and on a projector.
const DOWN_COLOUR: &str = "#3b82c4";

/// The SVG of `spins` laid out in rows of `columns` (a lattice: `columns` = L).
pub fn lattice_svg(spins: &[i8], columns: usize) -> String {
    grid_svg(spins, columns.max(1), &format!("{UP_COLOUR} spin up (+1);{DOWN_COLOUR} spin down (-1)"))
}

/// The SVG of a model's spins on a near-square grid (`ceil(sqrt(n))` columns).
pub fn graph_svg(spins: &[i8]) -> String {
    let columns = (spins.len() as f64).sqrt().ceil().max(1.0) as usize;
    grid_svg(spins, columns, &format!("{UP_COLOUR} spin up (+1);{DOWN_COLOUR} spin down (-1)"))
}

fn grid_svg(spins: &[i8], columns: usize, key: &str) -> String {
    let rows = spins.len().div_ceil(columns).max(1);
    let full_rows = spins.len() / columns;
    let partial = spins.len() % columns;
    let mut document = Document::new()
        .set("viewBox", view_box(0.0, 0.0, columns as f64, rows as f64))
        .set("shape-rendering", "crispEdges")
        .set("data-key", key);
    document = document.set("data-columns", columns);
    if full_rows > 0 {
        document = document.add(background(0, columns, full_rows));
    }
    if partial > 0 {
        document = document.add(background(full_rows, partial, 1));
    }
    let up = up_runs(spins, columns);
    if !up.is_empty() {
        document = document.add(
            Path::new()
                .set("class", "up")
                .set("d", up)
                .set("fill", "none")
                .set("stroke", UP_COLOUR)
                .set("stroke-width", 1),
        );
    }
    document.to_string()
}

/// The down-spin colour under `rows` rows of `width` cells from row `top`.
fn background(top: usize, width: usize, rows: usize) -> Rectangle {
    Rectangle::new()
        .set("class", "down")
        .set("y", top)
        .set("width", width)
        .set("height", rows)
        .set("fill", DOWN_COLOUR)
}

/// Path data with one horizontal stroke through the middle of each run of up spins.
/// Each row starts at half-units (`y + 0.5`) so a stroke of width 1 fills its row.
fn up_runs(spins: &[i8], columns: usize) -> String {
    let mut d = String::new();
    for (y, row) in spins.chunks(columns).enumerate() {
        // Where the pen is in this row (None: not yet moved into it).
        let mut pen: Option<usize> = None;
        let mut x = 0;
        while x < row.len() {
            if row[x] <= 0 {
                x += 1;
                continue;
            }
            let start = x;
            while x < row.len() && row[x] > 0 {
                x += 1;
            }
            let _ = match pen {
                None => write!(d, "M{start} {y}.5h{}", x - start),
                Some(end) => write!(d, "m{} 0h{}", start - end, x - start),
            };
            pen = Some(x);
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn the_drawing_carries_its_colour_key() {
        let lattice = lattice_svg(&[1, -1, 1, -1], 2);
        assert!(lattice.contains(r##"data-key="#e8590c spin up (+1);#3b82c4 spin down (-1)""##), "{lattice}");
        let graph = graph_svg(&[1, -1, 1]);
        assert!(graph.contains("spin up (+1);"), "{graph}");
    }

    #[test]
    fn runs_of_up_spins_are_one_stroke_each() {
        // Row 0: + + - +   row 1: - - - -   row 2: + + + +
        let spins = [1, 1, -1, 1, -1, -1, -1, -1, 1, 1, 1, 1];
        assert_eq!(up_runs(&spins, 4), "M0 0.5h2m1 0h1M0 2.5h4");
        let svg = lattice_svg(&spins, 4);
        assert!(svg.contains(r#"viewBox="0 0 4 3""#), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 1, "{svg}");
    }

    #[test]
    fn a_random_64_by_64_lattice_is_under_16_kb_and_deterministic() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let spins: Vec<i8> = (0..64 * 64).map(|_| if rng.next_u32() & 1 == 1 { 1 } else { -1 }).collect();
        let svg = lattice_svg(&spins, 64);
        assert!(svg.len() < 16 * 1024, "{} bytes", svg.len());
        assert_eq!(svg, lattice_svg(&spins, 64));
        // Alternating spins are the most runs a row can have: still under 16 KB.
        let checker: Vec<i8> = (0..64 * 64).map(|i| if (i + i / 64) % 2 == 0 { 1 } else { -1 }).collect();
        assert!(lattice_svg(&checker, 64).len() < 16 * 1024);
    }

    #[test]
    fn a_graph_fills_a_near_square_grid_and_leaves_the_rest_blank() {
        // 10 spins: 4 columns, 3 rows, the last with 2 cells.
        let svg = graph_svg(&[1; 10]);
        assert!(svg.contains(r#"viewBox="0 0 4 3""#), "{svg}");
        assert!(svg.contains(r#"y="2""#) && svg.contains(r#"width="2""#), "{svg}");
        assert!(graph_svg(&[]).starts_with("<svg"));
    }
}
