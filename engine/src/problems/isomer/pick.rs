//! Which four atoms a displacement acts on: uniform over the admissible picks,
//! without an unbounded loop.
//!
//! CDK's `RandomGenerator` draws x1, x2, y1, y2 uniformly (four distinct atoms,
//! hydrogens included) and redraws until at least two of the pairs `[x1,y1]`,
//! `[x1,y2]`, `[x2,y1]`, `[x2,y2]` are bonded. In a sparse molecular graph that
//! condition rarely holds (about 2% of the picks for C10H22), so drawing once
//! and calling a failure invalid would waste 98% of the steps, and redrawing
//! has no bound. This sampler draws from the same distribution directly:
//!
//! The four pairs form the cycle x1-y1-x2-y2-x1. Draw a pick together with two
//! of its pairs that are bonds: either two opposite pairs (two directed bonds,
//! for `[x1,y1]` and `[x2,y2]` or for `[x1,y2]` and `[x2,y1]`) or two adjacent ones (a
//! path a-c-b of two bonds around a centre c, one of the four atoms, plus any
//! atom for the fourth position). Each of these six shapes is drawn in
//! proportion to how many raw draws it has, and a draw whose atoms repeat is
//! discarded, so every (pick, pair of bonds) is equally likely. A pick with k
//! bonded pairs is reached through C(k, 2) pairs of bonds, so keeping it with
//! probability 1 / C(k, 2) leaves every admissible pick equally likely: CDK's
//! distribution, with about 1.2 attempts on average. Attempts are capped at
//! [`MAX_ATTEMPTS`] (the cap is reached with a probability far below 1e-30).
//!
//! All draws come from a SplitMix64 generator seeded with two words of the
//! step's own ChaCha words, so the step still uses only its own randomness
//! and never reaches the (allocating) overflow stream.

use crate::rng::StepRng;

use super::atom_totals::AtomTotals;
use super::molecule::Molecule;

/// Attempts before a step gives up and reports a generic invalid move.
pub const MAX_ATTEMPTS: u32 = 64;

/// A small fast generator for the draws of one proposal.
pub(crate) struct Draws(u64);

impl Draws {
    /// Seeded from two of the step's words.
    #[inline]
    pub(crate) fn from_step(rng: &mut StepRng) -> Draws {
        Draws((u64::from(rng.word()) << 32) | u64::from(rng.word()))
    }

    #[inline]
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (0 < n < 2^32), multiply-shift on 32 fresh bits.
    #[inline]
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0 && n < 1 << 32);
        ((self.next() >> 32) * n) >> 32
    }
}

/// The molecule seen as a graph with explicit hydrogens: atom `i < n` is heavy
/// atom `i`; atoms `n..n+H` are the hydrogens, in the order of the atoms holding them.
///
/// A view of the running totals the molecule keeps (`atom_totals`): finding
/// "directed bond number r", "path centre number r" or "the holder of hydrogen g"
/// is one load from their tables, with nothing rebuilt per step.
pub(crate) struct FullGraph<'m> {
    m: &'m Molecule,
    n: usize,
    t: &'m AtomTotals,
}

impl<'m> FullGraph<'m> {
    /// The full graph of `m`, from the totals the molecule keeps (no work per step).
    #[inline]
    pub(crate) fn new(m: &'m Molecule) -> Self {
        FullGraph { m, n: m.atom_count(), t: m.totals() }
    }

    /// All atoms, hydrogens included.
    #[inline]
    pub(crate) fn atoms(&self) -> usize {
        usize::from(self.t.first_h[self.n])
    }

    #[inline]
    fn degree(&self, a: usize) -> u64 {
        u64::from(self.m.heavy_degree(a)) + u64::from(self.m.hydrogens(a))
    }

    /// The heavy atom holding hydrogen `g` (g >= n).
    #[inline]
    pub(crate) fn holder(&self, g: usize) -> usize {
        debug_assert!(g >= self.n && g < self.atoms(), "a hydrogen index");
        usize::from(self.t.holder[g])
    }

    /// Neighbour number `j` (0..degree) of heavy atom `a`, as a global index: the far
    /// end of the `j`-th directed bond from `a`.
    #[inline]
    fn neighbour(&self, a: usize, j: u64) -> usize {
        let first = if a == 0 { 0 } else { usize::from(self.t.directed_end[a - 1]) };
        usize::from(self.t.bond_ends[first + j as usize][1])
    }

    /// Directed bond number `r` (0..directed) as (from, to): first the bonds from
    /// each heavy atom in atom order, then each hydrogen's bond to its holder.
    #[inline]
    fn directed_bond(&self, r: u64) -> (usize, usize) {
        let [from, to] = self.t.bond_ends[r as usize];
        (usize::from(from), usize::from(to))
    }

    /// A path centre drawn in proportion to deg * (deg - 1), with two distinct neighbours.
    #[inline]
    fn path(&self, draws: &mut Draws) -> (usize, usize, usize) {
        let r = draws.below(self.t.paths);
        let c = usize::from(self.t.path_centre[r as usize]);
        debug_assert!(c < self.n, "r below the path total");
        let d = self.degree(c);
        let first = draws.below(d);
        let mut second = draws.below(d - 1);
        if second >= first {
            second += 1;
        }
        (self.neighbour(c, first), c, self.neighbour(c, second))
    }

    /// Whether heavy atom `a` holds hydrogen `h`.
    #[inline]
    fn holds(&self, a: usize, h: usize) -> bool {
        usize::from(self.t.holder[h]) == a
    }

    /// Whether global atoms `a` and `b` are bonded (bond order > 0).
    #[inline]
    pub(crate) fn bonded(&self, a: usize, b: usize) -> bool {
        match (a < self.n, b < self.n) {
            (true, true) => self.m.neighbour_mask(a) & (1 << b) != 0,
            (true, false) => self.holds(a, b),
            (false, true) => self.holds(b, a),
            (false, false) => false,
        }
    }
}

/// Four distinct atoms `[x1, x2, y1, y2]` (global indices) with at least two of the
/// pairs `[x1,y1]`, `[x1,y2]`, `[x2,y1]`, `[x2,y2]` bonded, uniformly; `None` if the
/// molecule has no such pick (or, with negligible probability, the attempts ran out).
#[inline]
pub(crate) fn pick_four(g: &FullGraph<'_>, draws: &mut Draws) -> Option<[usize; 4]> {
    let total = g.atoms() as u64;
    if total < 4 {
        return None;
    }
    // Raw draws per shape: opposite = two directed bonds; adjacent = a path and any atom.
    let opposite = g.t.directed * g.t.directed;
    let adjacent = g.t.paths * total;
    let weight = 2 * opposite + 4 * adjacent;
    if weight == 0 {
        return None;
    }
    for _ in 0..MAX_ATTEMPTS {
        let shape = draws.below(weight);
        let [x1, x2, y1, y2] = if shape < 2 * opposite {
            let (a, b) = g.directed_bond(draws.below(g.t.directed));
            let (c, d) = g.directed_bond(draws.below(g.t.directed));
            if shape < opposite { [a, c, b, d] } else { [a, c, d, b] } // [x1,y1]+[x2,y2] or [x1,y2]+[x2,y1]
        } else {
            let (a, c, b) = g.path(draws);
            let free = draws.below(total) as usize;
            match (shape - 2 * opposite) / adjacent {
                0 => [c, free, a, b], // centre x1: [x1,y1] and [x1,y2]
                1 => [free, c, a, b], // centre x2
                2 => [a, b, c, free], // centre y1: [x1,y1] and [x2,y1]
                _ => [a, b, free, c], // centre y2
            }
        };
        let atoms = [x1, x2, y1, y2];
        if (0..4).any(|i| (i + 1..4).any(|j| atoms[i] == atoms[j])) {
            continue;
        }
        let bonded =
            [(x1, y1), (x1, y2), (x2, y1), (x2, y2)].iter().filter(|&&(a, b)| g.bonded(a, b)).count();
        let keep = match bonded {
            2 => true,
            3 => draws.below(3) == 0,
            _ => draws.below(6) == 0,
        };
        if keep {
            return Some(atoms);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Problem;
    use crate::problems::isomer::{Isomer, Objective};
    use crate::rng::StepStream;

    /// Exact distribution of CDK's loop on `m`: every admissible pick is equally
    /// likely, so the share of picks with k bonded pairs is a count ratio.
    fn exact_shares(g: &FullGraph<'_>) -> [f64; 5] {
        let total = g.atoms();
        let mut counts = [0u64; 5];
        for x1 in 0..total {
            for x2 in 0..total {
                for y1 in 0..total {
                    for y2 in 0..total {
                        let atoms = [x1, x2, y1, y2];
                        if (0..4).any(|i| (i + 1..4).any(|j| atoms[i] == atoms[j])) {
                            continue;
                        }
                        let k = [(x1, y1), (x1, y2), (x2, y1), (x2, y2)]
                            .iter()
                            .filter(|&&(a, b)| g.bonded(a, b))
                            .count();
                        if k >= 2 {
                            counts[k] += 1;
                        }
                    }
                }
            }
        }
        let sum: u64 = counts.iter().sum();
        counts.map(|c| c as f64 / sum as f64)
    }

    #[test]
    fn picks_follow_the_distribution_of_cdks_redraw_loop() {
        for formula in ["C4H10", "C4H8", "C3H6O"] {
            let problem = Isomer::new(formula, Objective::default()).unwrap();
            let m = problem.initial_state();
            let g = FullGraph::new(&m);
            let exact = exact_shares(&g);
            let mut counts = [0u64; 5];
            let mut x1_counts = vec![0u64; g.atoms()];
            let mut stream = StepStream::new(9, 0);
            let samples = 200_000;
            for t in 0..samples {
                let words = stream.next_step();
                let mut rng = StepRng::new(9, t, &words);
                let [x1, x2, y1, y2] = pick_four(&g, &mut Draws::from_step(&mut rng)).unwrap();
                let k =
                    [(x1, y1), (x1, y2), (x2, y1), (x2, y2)].iter().filter(|&&(a, b)| g.bonded(a, b)).count();
                assert!(k >= 2);
                counts[k] += 1;
                x1_counts[x1] += 1;
            }
            for k in 2..=4 {
                let share = counts[k] as f64 / samples as f64;
                assert!((share - exact[k]).abs() < 0.01, "{formula}: k = {k}: {share} vs exact {}", exact[k]);
            }
        }
    }
}
