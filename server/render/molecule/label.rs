//! Atom labels: which atoms are written out, where their hydrogens go, and the
//! space a label takes so that bonds stop short of it.
//!
//! Text widths are estimated from the glyph classes of a sans-serif font
//! (capitals, lower case, digits); no font metrics are available to a server
//! writing SVG, and an estimate within a few percent is enough to centre the
//! element symbol on its atom and to keep bonds clear of it.

use svg::node::element::{Element, Group, Text};

use super::geometry::Point;
use super::{DrawBond, MoleculeDrawing};
use crate::render::number::number;

/// Font size of atom labels, in user units (a bond is 30).
pub(super) const FONT_SIZE: f64 = 16.0;
/// Font size of hydrogen counts, relative to [`FONT_SIZE`].
const SUBSCRIPT_SCALE: f64 = 0.7;
/// Half the height of a capital letter, relative to the font size: the baseline sits this far below the atom.
const HALF_CAP_HEIGHT: f64 = 0.36;
/// How far below the baseline a hydrogen count sits, relative to the font size.
const SUBSCRIPT_DROP: f64 = 0.25;
/// Gap between a label and the bonds that end at it, in user units.
const PADDING: f64 = 2.5;

/// Where an atom's hydrogens are written relative to its element symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Right,
    Left,
    Below,
    Above,
}

impl Side {
    fn direction(self) -> Point {
        match self {
            Side::Right => Point::new(1.0, 0.0),
            Side::Left => Point::new(-1.0, 0.0),
            Side::Below => Point::new(0.0, 1.0),
            Side::Above => Point::new(0.0, -1.0),
        }
    }
}

/// The written label of one atom.
#[derive(Clone, Debug)]
pub(super) struct Label {
    symbol: &'static str,
    hydrogens: u8,
    side: Side,
    colour: &'static str,
}

impl Label {
    /// The label of `atom`, or `None` for a carbon with bonds (the skeleton's unlabelled corners).
    pub(super) fn for_atom(
        m: &MoleculeDrawing,
        bonds: &[DrawBond],
        positions: &[Point],
        atom: usize,
    ) -> Option<Label> {
        let DrawAtom { symbol, hydrogens } = m.atoms[atom];
        let bond_directions: Vec<Point> = bonds
            .iter()
            .filter_map(|bond| match (bond.a == atom, bond.b == atom) {
                (true, _) => Some(bond.b),
                (_, true) => Some(bond.a),
                _ => None,
            })
            .map(|neighbour| (positions[neighbour] - positions[atom]).unit())
            .collect();
        if symbol == "C" && !bond_directions.is_empty() {
            return None;
        }
        let side = hydrogen_side(symbol, &bond_directions);
        Some(Label { symbol, hydrogens, side, colour: element_colour(symbol) })
    }

    /// Distance from the atom's centre to where a bond leaving in `direction` should start.
    pub(super) fn clearance(&self, direction: Point) -> f64 {
        let direction = direction.unit();
        let half_width = text_width(self.symbol, FONT_SIZE) / 2.0 + PADDING;
        let half_height = HALF_CAP_HEIGHT * FONT_SIZE + PADDING;
        let along_x = if direction.x.abs() > 1e-9 { half_width / direction.x.abs() } else { f64::INFINITY };
        let along_y = if direction.y.abs() > 1e-9 { half_height / direction.y.abs() } else { f64::INFINITY };
        along_x.min(along_y)
    }

    /// The corners of the box the label's text covers when its atom is at `at`.
    pub(super) fn extent(&self, at: Point) -> (Point, Point) {
        let half_symbol = text_width(self.symbol, FONT_SIZE) / 2.0;
        let half_height = HALF_CAP_HEIGHT * FONT_SIZE;
        let mut min = Point::new(at.x - half_symbol, at.y - half_height);
        let mut max = Point::new(at.x + half_symbol, at.y + half_height);
        let hydrogen_width = self.hydrogen_width();
        match self.side {
            _ if self.hydrogens == 0 => {}
            Side::Right => max.x += hydrogen_width,
            Side::Left => min.x -= hydrogen_width,
            Side::Below => max.y += 2.0 * half_height + 0.2 * FONT_SIZE,
            Side::Above => min.y -= 2.0 * half_height + 0.2 * FONT_SIZE,
        }
        if self.hydrogens > 1 {
            max.y = max.y.max(at.y + half_height + SUBSCRIPT_DROP * FONT_SIZE);
            if matches!(self.side, Side::Below | Side::Above) {
                max.x = max.x.max(at.x + text_width("H", FONT_SIZE) / 2.0 + self.count_width());
            }
        }
        (min, max)
    }

    /// Adds the label's text elements, for an atom at `at`, to `group`.
    pub(super) fn append_to(&self, group: Group, at: Point) -> Group {
        let baseline = at.y + HALF_CAP_HEIGHT * FONT_SIZE;
        let half_symbol = text_width(self.symbol, FONT_SIZE) / 2.0;
        let mut label = Group::new().set("fill", self.colour);
        label = label.add(text(self.symbol, at.x, baseline, &[("text-anchor", "middle")]));
        if self.hydrogens > 0 {
            let count = (self.hydrogens > 1).then(|| self.hydrogens.to_string());
            let h_width = text_width("H", FONT_SIZE);
            // Left edge of the "H" and the baseline it sits on.
            let (h_left, h_baseline) = match self.side {
                Side::Right => (at.x + half_symbol, baseline),
                Side::Left => (at.x - half_symbol - h_width - self.count_width(), baseline),
                Side::Below => (at.x - h_width / 2.0, baseline + FONT_SIZE * 1.1),
                Side::Above => (at.x - h_width / 2.0, baseline - FONT_SIZE * 1.1),
            };
            label = label.add(text("H", h_left, h_baseline, &[]));
            if let Some(count) = count {
                let size = number(FONT_SIZE * SUBSCRIPT_SCALE);
                let drop = h_baseline + SUBSCRIPT_DROP * FONT_SIZE;
                label = label.add(text(&count, h_left + h_width, drop, &[("font-size", &size)]));
            }
        }
        group.add(label)
    }

    fn hydrogen_width(&self) -> f64 {
        if self.hydrogens == 0 { 0.0 } else { text_width("H", FONT_SIZE) + self.count_width() }
    }

    fn count_width(&self) -> f64 {
        if self.hydrogens > 1 {
            text_width(&self.hydrogens.to_string(), FONT_SIZE * SUBSCRIPT_SCALE)
        } else {
            0.0
        }
    }
}

use super::DrawAtom;

/// A `<text>` element, as a plain `Element`: the `svg` crate writes a `Text` node's content on lines of
/// its own (whitespace the page would render), but an `Element`'s bare content inline.
fn text(content: &str, x: f64, baseline: f64, attributes: &[(&str, &str)]) -> Element {
    let mut text = Text::new(content).set("x", number(x)).set("y", number(baseline));
    for &(name, value) in attributes {
        text = text.set(name, value);
    }
    text.into()
}

/// The side for the hydrogens that points most away from the atom's bonds; right, then left,
/// below and above, in order of preference, as chemists write "OH", "HO", and "NH" under a ring nitrogen.
/// A lone atom follows the usual formulas: "H2O" and "H2S", but "NH3" and "CH4".
fn hydrogen_side(symbol: &str, bond_directions: &[Point]) -> Side {
    const PREFERENCE: [Side; 4] = [Side::Right, Side::Left, Side::Below, Side::Above];
    if bond_directions.is_empty() {
        return if matches!(symbol, "O" | "S") { Side::Left } else { Side::Right };
    }
    // Horizontal sides are free when no bond leaves within 60 degrees of them.
    let crowding = |side: Side| {
        bond_directions.iter().map(|d| d.dot(side.direction())).fold(f64::NEG_INFINITY, f64::max)
    };
    for side in PREFERENCE {
        let free_below = if matches!(side, Side::Right | Side::Left) { 0.5 } else { 0.7 };
        if crowding(side) < free_below {
            return side;
        }
    }
    PREFERENCE.into_iter().min_by(|&a, &b| crowding(a).total_cmp(&crowding(b))).unwrap_or(Side::Right)
}

/// Estimated advance width of `text` in a sans-serif font of `size`.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| match c {
            'l' | 'i' | 'I' => 0.28,
            c if c.is_ascii_uppercase() => 0.72,
            c if c.is_ascii_digit() => 0.56,
            _ => 0.5,
        })
        .sum::<f64>()
        * size
}

/// A colour for each element's label, legible on white, on a dark page and on a projector.
fn element_colour(symbol: &str) -> &'static str {
    match symbol {
        "O" => "#e8383d",
        "N" => "#4a6cf7",
        "S" => "#c99a06",
        "P" => "#f08c00",
        "F" | "Cl" => "#2f9e44",
        "Br" => "#b5541c",
        "I" => "#a23ec0",
        _ => "currentColor",
    }
}
