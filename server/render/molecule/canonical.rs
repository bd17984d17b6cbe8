//! A canonical numbering of a molecule's heavy atoms, so that its drawing is a
//! function of the structure alone, never of how a walk happened to number it.
//!
//! The method is the individualisation-refinement scheme of McKay's nauty, cut
//! down to what molecules of a few dozen atoms need:
//!
//! 1. Colour refinement: atoms start coloured by element and hydrogen count, and
//!    are recoloured by their colour and the sorted colours (and bond orders) of
//!    their neighbours until the number of colours stops growing. Colours are
//!    ranks of those signatures, so they never depend on the input numbering.
//! 2. While some colour holds several atoms, each atom of the first such colour
//!    is in turn given a colour of its own, and refinement runs again. Two atoms
//!    with the same element, hydrogens and neighbours (the methyls of a
//!    tert-butyl group) are interchangeable, so only one of them is tried.
//! 3. Each leaf (every atom its own colour) numbers the atoms; the numbering whose
//!    labelled graph (elements, hydrogens, then every pair's bond order) is
//!    smallest wins. Isomorphic inputs reach the same set of labelled graphs, so
//!    they get the same smallest one: the canonical form.
//!
//! The search is bounded by [`MAX_LEAVES`]; molecules with more symmetry than that
//! (none of Kiln's formulas comes close) keep the best numbering found, which is
//! still a pure function of the input.

use super::{DrawBond, MoleculeDrawing};

/// Most leaves the search visits (cubane has 48 automorphisms, adamantane 24).
const MAX_LEAVES: usize = 20_000;

/// The canonical order of `m`'s atoms: `order[k]` is the atom drawn as number `k`.
/// `bonds` are `m`'s valid bonds (both ends exist, distinct, each pair once).
pub(super) fn canonical_order(m: &MoleculeDrawing, bonds: &[DrawBond]) -> Vec<usize> {
    let n = m.atoms.len();
    if n == 0 {
        return Vec::new();
    }
    let graph = Graph::new(m, bonds);
    let mut initial: Vec<(&str, u8)> = m.atoms.iter().map(|a| (a.symbol, a.hydrogens)).collect();
    let labels = initial.clone();
    initial.sort_unstable();
    initial.dedup();
    let colours: Vec<usize> = labels.iter().map(|l| initial.binary_search(l).unwrap_or(0)).collect();
    let mut search = Search { graph: &graph, labels: &labels, leaves: 0, best: None };
    search.descend(graph.refine(colours));
    search.best.map(|(order, _)| order).unwrap_or_else(|| (0..n).collect())
}

/// Neighbour lists with bond orders, and the bond order of every pair.
struct Graph {
    neighbours: Vec<Vec<(usize, u8)>>,
    order: Vec<Vec<u8>>,
}

impl Graph {
    fn new(m: &MoleculeDrawing, bonds: &[DrawBond]) -> Graph {
        let n = m.atoms.len();
        let mut neighbours = vec![Vec::new(); n];
        let mut order = vec![vec![0u8; n]; n];
        for bond in bonds {
            neighbours[bond.a].push((bond.b, bond.order));
            neighbours[bond.b].push((bond.a, bond.order));
            order[bond.a][bond.b] = bond.order;
            order[bond.b][bond.a] = bond.order;
        }
        Graph { neighbours, order }
    }

    /// Colours refined until stable: each atom's colour becomes the rank of (its colour, its
    /// neighbours' sorted (colour, bond order) pairs). Ranks keep the old order of colours.
    fn refine(&self, mut colours: Vec<usize>) -> Vec<usize> {
        let mut count = distinct(&colours);
        loop {
            let signatures: Vec<(usize, Vec<(usize, u8)>)> = (0..colours.len())
                .map(|atom| {
                    let mut around: Vec<(usize, u8)> =
                        self.neighbours[atom].iter().map(|&(n, o)| (colours[n], o)).collect();
                    around.sort_unstable();
                    (colours[atom], around)
                })
                .collect();
            let mut sorted = signatures.clone();
            sorted.sort_unstable();
            sorted.dedup();
            colours = signatures.iter().map(|s| sorted.binary_search(s).unwrap_or(0)).collect();
            if sorted.len() == count {
                return colours;
            }
            count = sorted.len();
        }
    }

    /// Whether swapping `a` and `b` maps the graph onto itself: same neighbours (each other aside)
    /// with the same bond orders. The caller has checked they have the same colour (so the same label).
    fn twins(&self, a: usize, b: usize) -> bool {
        let others = |atom: usize, other: usize| {
            let mut list: Vec<(usize, u8)> =
                self.neighbours[atom].iter().copied().filter(|&(n, _)| n != other).collect();
            list.sort_unstable();
            list
        };
        others(a, b) == others(b, a)
    }
}

/// The number of distinct colours.
fn distinct(colours: &[usize]) -> usize {
    let mut sorted = colours.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    sorted.len()
}

/// The depth-first search over individualisations, keeping the smallest labelled graph.
struct Search<'g> {
    graph: &'g Graph,
    labels: &'g [(&'static str, u8)],
    leaves: usize,
    best: Option<(Vec<usize>, Vec<u8>)>,
}

impl Search<'_> {
    fn descend(&mut self, colours: Vec<usize>) {
        if self.leaves >= MAX_LEAVES {
            return;
        }
        let n = colours.len();
        let mut sizes = vec![0usize; n];
        colours.iter().for_each(|&c| sizes[c] += 1);
        let Some(target) = (0..n).find(|&c| sizes[c] > 1) else {
            self.leaves += 1;
            self.leaf(&colours);
            return;
        };
        let mut tried: Vec<usize> = Vec::new();
        for atom in (0..n).filter(|&a| colours[a] == target) {
            if tried.iter().any(|&t| self.graph.twins(t, atom)) {
                continue;
            }
            tried.push(atom);
            let individualised: Vec<usize> = colours
                .iter()
                .enumerate()
                .map(|(other, &c)| if c > target || (c == target && other != atom) { c + 1 } else { c })
                .collect();
            self.descend(self.graph.refine(individualised));
        }
    }

    /// A leaf: every atom its own colour, which is its number. Keeps it if its labelled graph is
    /// the smallest so far.
    fn leaf(&mut self, colours: &[usize]) {
        let mut order = vec![0usize; colours.len()];
        colours.iter().enumerate().for_each(|(atom, &c)| order[c] = atom);
        let mut certificate = Vec::with_capacity(order.len() * (order.len() + 3));
        for &atom in &order {
            certificate.extend(self.labels[atom].0.bytes());
            certificate.push(0);
            certificate.push(self.labels[atom].1);
        }
        for (i, &a) in order.iter().enumerate() {
            certificate.extend(order[i + 1..].iter().map(|&b| self.graph.order[a][b]));
        }
        if self.best.as_ref().is_none_or(|(_, best)| certificate < *best) {
            self.best = Some((order, certificate));
        }
    }
}
