//! The drawing of a molecule as chemists draw it: a skeletal formula.
//!
//! Carbon atoms are the unlabelled corners and ends of the skeleton (a lone
//! carbon, as in methane, is written out as "CH4"); every other element is
//! written with its hydrogens ("OH", "NH2", or "H2N" when its bond comes from
//! the right), the hydrogen count as a subscript. Double and triple bonds are
//! parallel lines; a ring's double bond has its second line inside the ring.
//!
//! Coordinates come from [`layout`] in units of one bond length; this file only
//! turns them into SVG. Bonds are one path per colour, labels plain `<text>`
//! elements, and the skeleton uses `currentColor`, so an inline drawing takes
//! the page's text colour on light and dark themes alike.
//!
//! The drawing is a function of the molecule's structure alone: atoms are
//! renumbered canonically ([`canonical`]) before the layout, so the same
//! molecule gives the same bytes however a walk numbered it. The root element
//! carries `data-atoms`: each heavy atom's position ("x,y", space-separated, in
//! that canonical order), so the page can mark a teaching step's atoms and
//! bonds on top of the drawing without parsing its paths; [`canonical_numbers`]
//! says which input atom is which.

mod canonical;
#[cfg(test)]
mod canonical_tests;
mod clearance;
mod congestion;
mod embedding;
mod geometry;
mod graph;
mod label;
mod layout;
mod planar;
mod relief;
mod ring_system;
mod ring_templates;
mod rings;
mod stress;
#[cfg(test)]
mod test_smiles;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod walk_tests;

use kiln_engine::problems::isomer::Molecule;
use svg::Document;
use svg::node::element::{Group, Path};

use geometry::Point;
use label::Label;

use super::number::{push_number, view_box};

/// One heavy atom: its element symbol and its implicit hydrogen count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DrawAtom {
    pub symbol: &'static str,
    pub hydrogens: u8,
}

/// A bond between atoms `a` and `b` (indices into the atom list) of order 1 to 3 (Kekulé).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DrawBond {
    pub a: usize,
    pub b: usize,
    pub order: u8,
}

/// A molecule to draw: heavy atoms and the bonds between them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MoleculeDrawing {
    pub atoms: Vec<DrawAtom>,
    pub bonds: Vec<DrawBond>,
}

impl From<&Molecule> for MoleculeDrawing {
    /// The drawing input of an isomer state: its heavy atoms, implicit hydrogens and Kekulé bonds.
    fn from(molecule: &Molecule) -> Self {
        MoleculeDrawing {
            atoms: (0..molecule.atom_count())
                .map(|atom| DrawAtom {
                    symbol: molecule.element(atom).symbol(),
                    hydrogens: molecule.hydrogens(atom),
                })
                .collect(),
            bonds: molecule.bonds().map(|(a, b, order)| DrawBond { a, b, order }).collect(),
        }
    }
}

/// One bond length in user units.
const BOND: f64 = 30.0;
/// Distance between the lines of a double or triple bond, in user units.
const LINE_GAP: f64 = 5.5;
/// How far the inner line of a ring or side double bond is shortened at each end, in bond lengths.
const INNER_LINE_INSET: f64 = 0.15;
/// Space around the drawing, in user units.
const MARGIN: f64 = 12.0;
/// Smallest width and height of the drawing, in user units: about four bonds by three.
const MIN_WIDTH: f64 = 4.0 * BOND;
const MIN_HEIGHT: f64 = 3.0 * BOND;

/// The SVG skeletal formula of `m`, a function of its structure alone: the atoms are
/// drawn (and listed in `data-atoms`) in their canonical order ([`canonical_numbers`]),
/// so two numberings of one molecule give the same bytes.
///
/// Bonds naming atoms that do not exist, bonds from an atom to itself and
/// repeated bonds are ignored; the rest is always drawn, never a panic.
pub fn molecule_svg(m: &MoleculeDrawing) -> String {
    draw_numbered(&canonical_form(m))
}

/// Each atom's number in the canonical order its drawing uses (0-based, the index of its
/// position in the drawing's `data-atoms`): how a teaching step names the atoms it moves.
pub fn canonical_numbers(m: &MoleculeDrawing) -> Vec<usize> {
    let order = canonical::canonical_order(m, &valid_bonds(m));
    let mut number = vec![0; order.len()];
    order.iter().enumerate().for_each(|(k, &atom)| number[atom] = k);
    number
}

/// `m` renumbered canonically, its bonds sorted by their (renumbered) atoms.
fn canonical_form(m: &MoleculeDrawing) -> MoleculeDrawing {
    let number = canonical_numbers(m);
    let mut atoms = vec![DrawAtom { symbol: "C", hydrogens: 0 }; m.atoms.len()];
    m.atoms.iter().enumerate().for_each(|(atom, &a)| atoms[number[atom]] = a);
    let mut bonds: Vec<DrawBond> = valid_bonds(m)
        .iter()
        .map(|bond| {
            let (a, b) = (number[bond.a], number[bond.b]);
            DrawBond { a: a.min(b), b: a.max(b), order: bond.order }
        })
        .collect();
    bonds.sort_unstable_by_key(|bond| (bond.a, bond.b));
    MoleculeDrawing { atoms, bonds }
}

/// The drawing of `m` with its atoms in the order given.
fn draw_numbered(m: &MoleculeDrawing) -> String {
    let bonds = valid_bonds(m);
    let layout = fewest_crossings_layout(m.atoms.len(), &bonds);
    let positions: Vec<Point> = layout.positions.iter().map(|&p| p * BOND).collect();
    let labels: Vec<Option<Label>> =
        (0..m.atoms.len()).map(|atom| Label::for_atom(m, &bonds, &positions, atom)).collect();
    let ring_centres = rings::bond_ring_centres(&layout.rings, &bonds, &positions);

    let mut skeleton = String::new();
    for (index, bond) in bonds.iter().enumerate() {
        let (from, to) = (positions[bond.a], positions[bond.b]);
        let start = trimmed_end(from, to, labels[bond.a].as_ref());
        let end = trimmed_end(to, from, labels[bond.b].as_ref());
        match bond.order {
            2 => push_double_bond(&mut skeleton, m, &bonds, &positions, &labels, index, ring_centres[index]),
            3 => {
                let normal = (to - from).unit().perpendicular() * LINE_GAP;
                push_line(&mut skeleton, start, end);
                push_line(&mut skeleton, start + normal, end + normal);
                push_line(&mut skeleton, start - normal, end - normal);
            }
            _ => push_line(&mut skeleton, start, end),
        }
    }

    let (min, max) = bounding_box(&positions, &labels);
    // Small molecules keep the scale of a few bonds rather than filling the page with thick strokes.
    let width = (max.x - min.x + 2.0 * MARGIN).max(MIN_WIDTH);
    let height = (max.y - min.y + 2.0 * MARGIN).max(MIN_HEIGHT);
    let centre = (min + max) * 0.5;
    let mut atoms = String::new();
    for (index, p) in positions.iter().enumerate() {
        if index > 0 {
            atoms.push(' ');
        }
        push_number(&mut atoms, p.x);
        atoms.push(',');
        push_number(&mut atoms, p.y);
    }
    let mut document = Document::new()
        .set("viewBox", view_box(centre.x - width / 2.0, centre.y - height / 2.0, width, height))
        .set("data-atoms", atoms);
    if !skeleton.is_empty() {
        document = document.add(
            Path::new()
                .set("d", skeleton)
                .set("fill", "none")
                .set("stroke", "currentColor")
                .set("stroke-width", 2)
                .set("stroke-linecap", "round"),
        );
    }
    let mut texts = Group::new().set("font-family", "sans-serif").set("font-size", label::FONT_SIZE);
    let mut any_label = false;
    for (atom, label) in labels.iter().enumerate() {
        if let Some(label) = label {
            texts = label.append_to(texts, positions[atom]);
            any_label = true;
        }
    }
    if any_label {
        document = document.add(texts);
    }
    document.to_string()
}

/// Numberings of a canonical form a non-planar molecule is also laid out from: atom `i` as
/// `(i + shift) mod n`, or reversed, for these shifts (in halves and quarters of `n`).
const VARIANT_SHIFTS: [(usize, usize); 2] = [(0, 1), (1, 2)];

/// The layout of a canonically numbered molecule. A planar one is drawn without crossings from
/// its canonical numbering; a non-planar one's crossings depend on where the layout starts, so it
/// is also laid out from a few numberings derived from the canonical one (reversed, turned half
/// way) and the drawing with the fewest crossings wins (the first on a tie). Every candidate is a
/// function of the canonical form, so the drawing still is.
fn fewest_crossings_layout(atom_count: usize, bonds: &[DrawBond]) -> layout::Layout {
    let first = layout::layout(atom_count, bonds);
    if atom_count < 5 || planar::embed(&rings::neighbour_lists(atom_count, bonds)).is_some() {
        return first;
    }
    let mut best = (crossing_count(&first.positions, bonds), first);
    for (numerator, denominator) in VARIANT_SHIFTS {
        for reversed in [false, true] {
            if best.0 == 0 || (numerator == 0 && !reversed) {
                continue;
            }
            let shift = atom_count * numerator / denominator;
            let to = |i: usize| {
                let turned = (i + shift) % atom_count;
                if reversed { atom_count - 1 - turned } else { turned }
            };
            let renumbered: Vec<DrawBond> =
                bonds.iter().map(|b| DrawBond { a: to(b.a), b: to(b.b), order: b.order }).collect();
            let drawn = layout::layout(atom_count, &renumbered);
            let crossed = crossing_count(&drawn.positions, &renumbered);
            if crossed < best.0 {
                let positions = (0..atom_count).map(|i| drawn.positions[to(i)]).collect();
                let mut from = vec![0; atom_count];
                (0..atom_count).for_each(|i| from[to(i)] = i);
                let rings = drawn.rings.iter().map(|ring| ring.iter().map(|&a| from[a]).collect()).collect();
                best = (crossed, layout::Layout { positions, rings });
            }
        }
    }
    best.1
}

/// Pairs of bonds whose lines cross.
fn crossing_count(positions: &[Point], bonds: &[DrawBond]) -> usize {
    bonds
        .iter()
        .enumerate()
        .flat_map(|(i, x)| bonds[i + 1..].iter().map(move |y| (x, y)))
        .filter(|(x, y)| {
            geometry::segments_cross(positions[x.a], positions[x.b], positions[y.a], positions[y.b])
        })
        .count()
}

/// The bonds worth drawing: both ends exist, distinct, each pair once, order clamped to 1..=3.
fn valid_bonds(m: &MoleculeDrawing) -> Vec<DrawBond> {
    let mut seen = std::collections::HashSet::new();
    m.bonds
        .iter()
        .filter(|bond| bond.a < m.atoms.len() && bond.b < m.atoms.len() && bond.a != bond.b)
        .filter(|bond| seen.insert((bond.a.min(bond.b), bond.a.max(bond.b))))
        .map(|bond| DrawBond { order: bond.order.clamp(1, 3), ..*bond })
        .collect()
}

/// The end of the bond line at `at` (going towards `towards`), pulled back out of `at`'s label.
fn trimmed_end(at: Point, towards: Point, label: Option<&Label>) -> Point {
    match label {
        Some(label) => at + (towards - at).unit() * label.clearance(towards - at),
        None => at,
    }
}

/// Draws a double bond: in a ring, the second line inside the ring; at a chain's end or between
/// two labelled atoms, two lines centred on the bond; elsewhere, the second line on the side of
/// the neighbouring bonds, as chemists draw it.
fn push_double_bond(
    out: &mut String,
    m: &MoleculeDrawing,
    bonds: &[DrawBond],
    positions: &[Point],
    labels: &[Option<Label>],
    index: usize,
    ring_centre: Option<Point>,
) {
    let bond = bonds[index];
    let (from, to) = (positions[bond.a], positions[bond.b]);
    let start = trimmed_end(from, to, labels[bond.a].as_ref());
    let end = trimmed_end(to, from, labels[bond.b].as_ref());
    let normal = (to - from).unit().perpendicular();
    let side = match ring_centre {
        Some(centre) => Some(side_of(from, to, centre)),
        None => neighbour_side(m, bonds, positions, bond),
    };
    match side {
        Some(side) => {
            push_line(out, start, end);
            let inset = (to - from) * INNER_LINE_INSET;
            let offset = normal * (LINE_GAP * side);
            let inner_start = if labels[bond.a].is_some() { start } else { from + inset };
            let inner_end = if labels[bond.b].is_some() { end } else { to - inset };
            push_line(out, inner_start + offset, inner_end + offset);
        }
        None => {
            let offset = normal * (LINE_GAP / 2.0);
            push_line(out, start + offset, end + offset);
            push_line(out, start - offset, end - offset);
        }
    }
}

/// +1 or -1: the side of the line `from`-`to` that `point` lies on, measured along its left normal.
fn side_of(from: Point, to: Point, point: Point) -> f64 {
    if (to - from).unit().perpendicular().dot(point - from) >= 0.0 { 1.0 } else { -1.0 }
}

/// The side holding most of the bond's neighbouring atoms, or `None` (centred lines) when an end
/// has no other neighbour or the neighbours balance out.
fn neighbour_side(
    m: &MoleculeDrawing,
    bonds: &[DrawBond],
    positions: &[Point],
    bond: DrawBond,
) -> Option<f64> {
    let (from, to) = (positions[bond.a], positions[bond.b]);
    let others = |atom: usize, other: usize| {
        bonds
            .iter()
            .filter_map(move |b| match (b.a == atom, b.b == atom) {
                (true, _) if b.b != other => Some(b.b),
                (_, true) if b.a != other => Some(b.a),
                _ => None,
            })
            .filter(|&n| n < m.atoms.len())
    };
    let a_neighbours: Vec<usize> = others(bond.a, bond.b).collect();
    let b_neighbours: Vec<usize> = others(bond.b, bond.a).collect();
    if a_neighbours.is_empty() || b_neighbours.is_empty() {
        return None;
    }
    let normal = (to - from).unit().perpendicular();
    let balance: f64 =
        a_neighbours.iter().chain(&b_neighbours).map(|&n| normal.dot(positions[n] - from).signum()).sum();
    if balance == 0.0 { None } else { Some(balance.signum()) }
}

fn push_line(out: &mut String, from: Point, to: Point) {
    out.push('M');
    push_number(out, from.x);
    out.push(',');
    push_number(out, from.y);
    out.push('L');
    push_number(out, to.x);
    out.push(',');
    push_number(out, to.y);
}

/// The corners of the box holding every atom and every label.
fn bounding_box(positions: &[Point], labels: &[Option<Label>]) -> (Point, Point) {
    let mut min = Point::new(f64::INFINITY, f64::INFINITY);
    let mut max = Point::new(f64::NEG_INFINITY, f64::NEG_INFINITY);
    for (atom, &position) in positions.iter().enumerate() {
        let (low, high) = match &labels[atom] {
            Some(label) => label.extent(position),
            None => (position, position),
        };
        min = Point::new(min.x.min(low.x), min.y.min(low.y));
        max = Point::new(max.x.max(high.x), max.y.max(high.y));
    }
    if min.x > max.x { (Point::new(0.0, 0.0), Point::new(0.0, 0.0)) } else { (min, max) }
}
