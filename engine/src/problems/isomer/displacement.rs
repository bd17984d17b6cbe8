//! Faulon's displacement: the move of isomer annealing.
//!
//! Faulon (J. Chem. Inf. Comput. Sci. 1996, 36, 731), in the CDK `RandomGenerator`
//! formulation: pick four distinct atoms x1, x2, y1, y2; read the bond orders
//! a11 = `[x1,y1]`, a12 = `[x1,y2]`, a21 = `[x2,y1]`, a22 = `[x2,y2]`; at least two must be
//! non-zero. Choose b11 != a11 uniformly in
//! `[max(0, a11-a22, a11+a12-3, a11+a21-3), min(3, a11+a12, a11+a21, a11-a22+3)]`,
//! then b12 = a11+a12-b11, b21 = a11+a21-b11, b22 = a22-a11+b11. Each of the four
//! atoms keeps its total bond order, so the formula and every valence hold.
//!
//! **Hydrogens are atoms of the move.** The four atoms are drawn from all atoms,
//! hydrogens included, as in Faulon's paper, where the displacement acts on the
//! whole molecular graph. Restricted to heavy atoms the move could never shift a
//! hydrogen from one atom to another: ethanol (CCO) could not become dimethyl ether
//! (COC), nor propanal become an enol. Hydrogens are interchangeable, so the state
//! keeps only counts; drawing "hydrogen number k" means the k-th hydrogen in atom
//! order, which is a uniform draw over the hydrogens as the explicit graph would
//! make it.
//!
//! **Outcomes.** The four atoms are drawn as CDK's redraw loop would give them,
//! without its unbounded loop (see the `pick` module). A pick whose range leaves no
//! b11 besides a11 is the generic invalid move. A result in which
//! two hydrogens bond (an H2 molecule splits off) or the heavy atoms fall apart is
//! a `disconnected` invalid move; connectivity is checked on the hypothetical
//! graph, which is never applied.

use crate::problem::InvalidKind;
use crate::rng::StepRng;

use super::molecule::{Components, MAX_HEAVY_ATOMS, Molecule, is_connected};
use super::pick::{Draws, FullGraph, pick_four};

/// The `disconnected` invalid kind (kind 1 of the isomer problem).
pub const DISCONNECTED: InvalidKind = InvalidKind(1);

/// One of the four atoms of a displacement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoveAtom {
    /// A heavy atom, by index.
    Heavy(u8),
    /// A hydrogen, by the heavy atom it is bonded to.
    Hydrogen {
        /// Index of the heavy atom holding it.
        on: u8,
    },
}

/// One of the four atom pairs and its bond order before and after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairChange {
    a: MoveAtom,
    b: MoveAtom,
    from: u8,
    to: u8,
}

/// A proposed displacement, with the objective components of its result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Displacement {
    changes: [PairChange; 4],
    pub(crate) after: Components,
}

/// Bond order between two move atoms.
#[inline]
fn order(m: &Molecule, a: MoveAtom, b: MoveAtom) -> u8 {
    match (a, b) {
        (MoveAtom::Heavy(i), MoveAtom::Heavy(j)) => m.bond_order(usize::from(i), usize::from(j)),
        (MoveAtom::Heavy(i), MoveAtom::Hydrogen { on }) | (MoveAtom::Hydrogen { on }, MoveAtom::Heavy(i)) => {
            u8::from(i == on)
        }
        (MoveAtom::Hydrogen { .. }, MoveAtom::Hydrogen { .. }) => 0,
    }
}

impl Displacement {
    /// Draw a displacement for `m`, or the invalid kind of the draw. The result is
    /// not priced yet (`after` is the molecule's current components).
    #[inline]
    pub fn draw(m: &Molecule, rng: &mut StepRng) -> Result<Displacement, InvalidKind> {
        let mut draws = Draws::from_step(rng);
        let graph = FullGraph::new(m);
        let atom = |g: usize| {
            if g < m.atom_count() {
                MoveAtom::Heavy(g as u8)
            } else {
                MoveAtom::Hydrogen { on: graph.holder(g) as u8 }
            }
        };
        let Some(picked) = pick_four(&graph, &mut draws) else {
            return Err(InvalidKind::GENERIC);
        };
        // Four calls rather than `picked.map(atom)`, which compiled to an out-of-line call.
        let [x1, x2, y1, y2] = [atom(picked[0]), atom(picked[1]), atom(picked[2]), atom(picked[3])];
        let (a11, a12, a21, a22) = (order(m, x1, y1), order(m, x1, y2), order(m, x2, y1), order(m, x2, y2));
        let (a11, a12, a21, a22) = (i32::from(a11), i32::from(a12), i32::from(a21), i32::from(a22));
        let low = 0.max(a11 - a22).max(a11 + a12 - 3).max(a11 + a21 - 3);
        let high = 3.min(a11 + a12).min(a11 + a21).min(a11 - a22 + 3);
        if high <= low {
            return Err(InvalidKind::GENERIC); // a11 is the only value in range
        }
        let mut b11 = low + draws.below((high - low) as u64) as i32;
        if b11 >= a11 {
            b11 += 1; // skip a11: uniform over the others
        }
        let (b12, b21, b22) = (a11 + a12 - b11, a11 + a21 - b11, a22 - a11 + b11);
        let change = |a, b, from: i32, to: i32| PairChange { a, b, from: from as u8, to: to as u8 };
        let changes = [
            change(x1, y1, a11, b11),
            change(x1, y2, a12, b12),
            change(x2, y1, a21, b21),
            change(x2, y2, a22, b22),
        ];
        let hydrogen_pair_bonds = changes.iter().any(|c| {
            c.to > 0 && matches!((c.a, c.b), (MoveAtom::Hydrogen { .. }, MoveAtom::Hydrogen { .. }))
        });
        if hydrogen_pair_bonds {
            return Err(DISCONNECTED);
        }
        Ok(Displacement { changes, after: m.components })
    }

    /// The four pair changes.
    pub fn changes(&self) -> impl Iterator<Item = (MoveAtom, MoveAtom, u8, u8)> + '_ {
        self.changes.iter().map(|c| (c.a, c.b, c.from, c.to))
    }

    /// Heavy-atom pairs whose bond appears or disappears: the graph's shape changes.
    #[inline]
    pub fn changes_heavy_graph(&self) -> bool {
        self.heavy_changes().any(|(_, _, from, to)| (from == 0) != (to == 0))
    }

    /// Whether some heavy-atom bond disappears (only then can the graph fall apart).
    #[inline]
    pub fn breaks_heavy_bond(&self) -> bool {
        self.heavy_changes().any(|(_, _, from, to)| from > 0 && to == 0)
    }

    #[inline]
    fn heavy_changes(&self) -> impl Iterator<Item = (usize, usize, u8, u8)> + '_ {
        self.changes.iter().filter_map(|c| match (c.a, c.b) {
            (MoveAtom::Heavy(i), MoveAtom::Heavy(j)) => Some((usize::from(i), usize::from(j), c.from, c.to)),
            _ => None,
        })
    }

    /// The heavy atoms' neighbour masks after the move, written into `buffer`.
    #[inline]
    pub fn adjacency_after<'b>(&self, m: &Molecule, buffer: &'b mut [u64; MAX_HEAVY_ATOMS]) -> &'b [u64] {
        let n = m.atom_count();
        buffer[..n].copy_from_slice(m.adjacency());
        for (i, j, _, to) in self.heavy_changes() {
            if to == 0 {
                buffer[i] &= !(1u64 << j);
                buffer[j] &= !(1u64 << i);
            } else {
                buffer[i] |= 1u64 << j;
                buffer[j] |= 1u64 << i;
            }
        }
        &buffer[..n]
    }

    /// Whether the heavy atoms stay connected after the move.
    pub fn keeps_connected(&self, m: &Molecule) -> bool {
        if !self.breaks_heavy_bond() {
            return true;
        }
        let mut buffer = [0u64; MAX_HEAVY_ATOMS];
        is_connected(self.adjacency_after(m, &mut buffer))
    }

    /// The heavy-atom bonds (pairs, not orders) after the move.
    #[inline]
    pub fn bond_count_after(&self, m: &Molecule) -> usize {
        let appear = self.heavy_changes().filter(|&(_, _, from, to)| from == 0 && to > 0).count();
        let vanish = self.heavy_changes().filter(|&(_, _, from, to)| from > 0 && to == 0).count();
        m.bond_count() + appear - vanish
    }

    /// Carry the move out on `m` (bond orders and hydrogen counts; not the cache).
    #[inline]
    pub fn apply_to(&self, m: &mut Molecule) {
        m.edit(|m| {
            for c in &self.changes {
                if c.from == c.to {
                    continue;
                }
                match (c.a, c.b) {
                    (MoveAtom::Heavy(i), MoveAtom::Heavy(j)) => {
                        m.set_bond(usize::from(i), usize::from(j), c.to)
                    }
                    (MoveAtom::Heavy(i), MoveAtom::Hydrogen { .. })
                    | (MoveAtom::Hydrogen { .. }, MoveAtom::Heavy(i)) => {
                        let i = usize::from(i);
                        let h = i32::from(m.molecule().hydrogens(i)) + i32::from(c.to) - i32::from(c.from);
                        m.set_hydrogens(i, h as u8);
                    }
                    (MoveAtom::Hydrogen { .. }, MoveAtom::Hydrogen { .. }) => {}
                }
            }
        });
    }
}
