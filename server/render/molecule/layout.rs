//! 2D coordinates for a molecule's skeletal formula, in units of one bond length.

use super::DrawBond;
use super::geometry::Point;
use super::rings::{Ring, smallest_rings};

/// Atom positions and the rings found on the way.
pub(super) struct Layout {
    pub positions: Vec<Point>,
    pub rings: Vec<Ring>,
}

/// Lays out the molecule with `atom_count` atoms and `bonds` (valid, distinct).
pub(super) fn layout(atom_count: usize, bonds: &[DrawBond]) -> Layout {
    let rings = smallest_rings(atom_count, bonds);
    let step = std::f64::consts::TAU / atom_count.max(1) as f64;
    let radius = 0.5 / (step / 2.0).sin().max(0.1);
    let positions = (0..atom_count).map(|i| Point::from_angle(i as f64 * step) * radius).collect();
    Layout { positions, rings }
}
