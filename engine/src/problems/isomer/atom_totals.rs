//! `AtomTotals`: running totals over a molecule's atoms, hydrogens counted as atoms,
//! that the displacement's sampler (`pick`) reads on every step.
//!
//! Atom `i < n` of the full graph is heavy atom `i`; atoms `n..n+H` are the
//! hydrogens, in the order of the atoms holding them. The totals say where each
//! atom's hydrogens start, how many directed bonds and two-bond paths the atoms up
//! to each one have, and the grand totals. The molecule keeps them and recomputes
//! them when a degree or a hydrogen count changes (on accepted moves only), so a
//! step that is rejected or invalid never rebuilds them.

/// Heavy atoms the totals have room for: the molecule's `SLOTS` (which
/// checks the two agree; defined here so that this file needs nothing from its user).
pub(crate) const SLOTS: usize = 64;

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
}

impl AtomTotals {
    /// The totals of `n` heavy atoms with these heavy degrees and hydrogen counts.
    pub(crate) fn of(n: usize, heavy_degrees: &[u8], hydrogens: &[u8]) -> AtomTotals {
        let mut t = AtomTotals {
            first_h: [0; SLOTS + 1],
            directed_end: [0; SLOTS],
            paths_end: [0; SLOTS],
            directed: 0,
            paths: 0,
        };
        t.recompute(n, heavy_degrees, hydrogens);
        t
    }

    /// Recompute these totals in place (no copy of the arrays) for `n` heavy atoms
    /// with these heavy degrees and hydrogen counts.
    pub(crate) fn recompute(&mut self, n: usize, heavy_degrees: &[u8], hydrogens: &[u8]) {
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
    }
}
