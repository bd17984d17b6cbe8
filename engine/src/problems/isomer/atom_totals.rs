//! `AtomTotals`: running totals over a molecule's atoms, hydrogens counted as atoms,
//! that the displacement's sampler (`pick`) reads on every step.
//!
//! Atom `i < n` of the full graph is heavy atom `i`; atoms `n..n+H` are the
//! hydrogens, in the order of the atoms holding them. The totals say where each
//! atom's hydrogens start, how many directed bonds and two-bond paths the atoms up
//! to each one have, and the grand totals; beside them, three lookup tables answer
//! the sampler's questions in one load: which heavy atom holds each hydrogen, the
//! two ends of every directed bond and the centre of every two-bond path (where a search over the totals and a walk
//! along a neighbour mask took a fifth of an isomer step). The molecule keeps them
//! and recomputes them when a degree or a hydrogen count changes (on accepted moves
//! only), so a step that is rejected or invalid never rebuilds them.

/// Heavy atoms the totals have room for: the molecule's `SLOTS` (which
/// checks the two agree; defined here so that this file needs nothing from its user).
pub(crate) const SLOTS: usize = 64;
/// Most hydrogens the tables have room for: each heavy atom holds at most its
/// valence (at most 4), so 4 per slot, whatever the formula.
const MAX_HYDROGENS: usize = 4 * SLOTS;
/// Most atoms of the full graph.
const MAX_ATOMS: usize = SLOTS + MAX_HYDROGENS;
/// Most directed bonds: each heavy atom's bonds, at most its valence, and each
/// hydrogen's bond to its holder.
const MAX_DIRECTED: usize = 4 * SLOTS + MAX_HYDROGENS;
/// Most ordered two-bond paths: deg * (deg - 1) per heavy atom, deg at most 4.
const MAX_PATHS: usize = 12 * SLOTS;

/// The totals of one molecule (see the module docs).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AtomTotals {
    /// `first_h[a]`: full-graph index of atom a's first hydrogen; `first_h[n]` = n + H.
    pub(crate) first_h: [u16; SLOTS + 1],
    /// `directed_end[a]`: directed bonds from atoms `0..=a` (each counted from its heavy end).
    pub(crate) directed_end: [u16; SLOTS],
    /// `paths_end[a]`: ordered two-bond paths centred on atoms `0..=a`.
    pub(crate) paths_end: [u16; SLOTS],
    /// Twice the number of bonds, hydrogen bonds included.
    pub(crate) directed: u64,
    /// Ordered two-bond paths, sum over atoms of deg * (deg - 1).
    pub(crate) paths: u64,
    /// `holder[g]` for a hydrogen `g` (`n <= g < n + H`): the heavy atom holding it.
    pub(crate) holder: [u8; MAX_ATOMS],
    /// `bond_ends[r]`: directed bond number `r` as (from, to) in the full graph, first
    /// the bonds from each heavy atom in atom order (heavy neighbours by index, then
    /// its hydrogens), then each hydrogen's bond to its holder.
    pub(crate) bond_ends: [[u16; 2]; MAX_DIRECTED],
    /// `path_centre[r]`: the centre of ordered two-bond path number `r`, the paths
    /// numbered by centre as `paths_end` counts them.
    pub(crate) path_centre: [u8; MAX_PATHS],
}

impl AtomTotals {
    /// The totals of `n` heavy atoms with these heavy degrees and hydrogen counts.
    pub(crate) fn of(n: usize, neighbours: &[u64], heavy_degrees: &[u8], hydrogens: &[u8]) -> AtomTotals {
        let mut t = AtomTotals {
            first_h: [0; SLOTS + 1],
            directed_end: [0; SLOTS],
            paths_end: [0; SLOTS],
            directed: 0,
            paths: 0,
            holder: [0; MAX_ATOMS],
            bond_ends: [[0; 2]; MAX_DIRECTED],
            path_centre: [0; MAX_PATHS],
        };
        t.recompute(n, neighbours, heavy_degrees, hydrogens);
        t
    }

    /// Recompute these totals in place (no copy of the arrays) for `n` heavy atoms
    /// with these neighbour masks, heavy degrees and hydrogen counts.
    pub(crate) fn recompute(&mut self, n: usize, neighbours: &[u64], heavy_degrees: &[u8], hydrogens: &[u8]) {
        let (mut next, mut directed_from, mut directed, mut paths) = (n as u16, 0u16, 0u64, 0u16);
        for a in 0..n {
            self.first_h[a] = next;
            let h = u16::from(hydrogens[a]);
            next += h;
            let degree = u16::from(heavy_degrees[a]) + h;
            directed_from += degree;
            self.directed_end[a] = directed_from;
            directed += u64::from(degree + h); // a's bonds from a, and its hydrogens' bonds to a
            paths += degree * degree.saturating_sub(1);
            self.paths_end[a] = paths;
        }
        self.first_h[n] = next;
        self.directed = directed;
        self.paths = u64::from(paths);
        debug_assert!(usize::from(next) <= MAX_ATOMS && directed as usize <= MAX_DIRECTED);
        debug_assert!(usize::from(paths) <= MAX_PATHS);
        let mut start = 0;
        for a in 0..n {
            let end = usize::from(self.paths_end[a]);
            self.path_centre[start..end].fill(a as u8);
            start = end;
        }
        let mut r = 0;
        for (a, &mask) in neighbours[..n].iter().enumerate() {
            let mut heavy = mask;
            while heavy != 0 {
                self.bond_ends[r] = [a as u16, heavy.trailing_zeros() as u16];
                heavy &= heavy - 1;
                r += 1;
            }
            for g in self.first_h[a]..self.first_h[a + 1] {
                self.bond_ends[r] = [a as u16, g];
                r += 1;
            }
        }
        for a in 0..n {
            for g in self.first_h[a]..self.first_h[a + 1] {
                self.holder[usize::from(g)] = a as u8;
                self.bond_ends[r] = [g, a as u16];
                r += 1;
            }
        }
        debug_assert_eq!(r as u64, directed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::isomer::Molecule;
    use crate::problems::isomer::walk::hot_walk;

    /// The totals of `m` from scratch, from its bonds and hydrogens as it reports them.
    fn fresh(m: &Molecule) -> AtomTotals {
        let n = m.atom_count();
        let masks: Vec<u64> = (0..n).map(|a| m.neighbour_mask(a)).collect();
        let degrees: Vec<u8> = (0..n).map(|a| m.neighbour_mask(a).count_ones() as u8).collect();
        let hydrogens: Vec<u8> = (0..n).map(|a| m.hydrogens(a)).collect();
        AtomTotals::of(n, &masks, &degrees, &hydrogens)
    }

    /// The parts of `t` in use for a molecule of `n` heavy atoms.
    #[allow(clippy::type_complexity)]
    fn used(
        t: &AtomTotals,
        n: usize,
    ) -> (Vec<u16>, Vec<u16>, Vec<u16>, u64, u64, Vec<u8>, Vec<[u16; 2]>, Vec<u8>) {
        let atoms = usize::from(t.first_h[n]);
        (
            t.first_h[..=n].to_vec(),
            t.directed_end[..n].to_vec(),
            t.paths_end[..n].to_vec(),
            t.directed,
            t.paths,
            t.holder[n..atoms].to_vec(),
            t.bond_ends[..t.directed as usize].to_vec(),
            t.path_centre[..t.paths as usize].to_vec(),
        )
    }

    #[test]
    fn kept_totals_and_tables_equal_a_fresh_count_after_every_step_of_hot_walks() {
        // Accepted moves that leave every count as it was skip the recount; the
        // rest must leave the totals exactly as a count from scratch.
        for formula in ["C10H22", "C8H10O2", "C7H12ClN", "C6H12"] {
            for (t, m) in hot_walk(formula, 5, 4_000).iter().enumerate() {
                let n = m.atom_count();
                assert_eq!(used(m.totals(), n), used(&fresh(m), n), "{formula} step {t}: {m:?}");
            }
        }
    }

    #[test]
    fn the_tables_name_bonds_holders_and_path_centres_of_the_molecule() {
        for m in hot_walk("C7H12ClN", 8, 500) {
            let (n, t) = (m.atom_count(), m.totals());
            for a in 0..n {
                for g in t.first_h[a]..t.first_h[a + 1] {
                    assert_eq!(usize::from(t.holder[usize::from(g)]), a, "{m:?}");
                }
                let before = if a == 0 { 0 } else { t.paths_end[a - 1] };
                let degree = u16::from(m.heavy_degree(a)) + u16::from(m.hydrogens(a));
                assert_eq!(t.paths_end[a] - before, degree * degree.saturating_sub(1), "{m:?}");
                assert!(
                    t.path_centre[usize::from(before)..usize::from(t.paths_end[a])]
                        .iter()
                        .all(|&c| usize::from(c) == a)
                );
            }
            for &[from, to] in &t.bond_ends[..t.directed as usize] {
                let (from, to) = (usize::from(from), usize::from(to));
                let bonded = match (from < n, to < n) {
                    (true, true) => m.bond_order(from, to) > 0,
                    (true, false) => usize::from(t.holder[to]) == from,
                    (false, true) => usize::from(t.holder[from]) == to,
                    (false, false) => false,
                };
                assert!(bonded, "directed bond {from} -> {to} of {m:?}");
            }
        }
    }
}
