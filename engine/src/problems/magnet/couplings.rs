//! `Couplings`: the J_ij of an Ising instance in compressed sparse row (CSR) form.
//!
//! Row `i` lists spin `i`'s neighbours and the coupling to each, contiguous in memory,
//! so a flip updates its neighbours' local fields in one linear pass over
//! `degree(i)` entries. Every edge appears in both rows. Couplings are whole numbers
//! (lattice +-1, Gset weights), so local fields and energies are exact integers.

/// Symmetric integer couplings in CSR form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Couplings {
    /// Row `i` spans `offsets[i]..offsets[i + 1]`.
    offsets: Vec<u32>,
    neighbours: Vec<u32>,
    strengths: Vec<i32>,
}

impl Couplings {
    /// From undirected edges `(i, j, J_ij)` over `spins` spins (each pair once,
    /// indices below `spins`; the callers guarantee both).
    pub fn from_edges(spins: usize, edges: &[(u32, u32, i32)]) -> Self {
        let mut degree = vec![0u32; spins + 1];
        for &(i, j, _) in edges {
            degree[i as usize + 1] += 1;
            degree[j as usize + 1] += 1;
        }
        let mut offsets = degree;
        for k in 1..offsets.len() {
            offsets[k] += offsets[k - 1];
        }
        let mut fill: Vec<u32> = offsets[..spins].to_vec();
        let mut neighbours = vec![0u32; 2 * edges.len()];
        let mut strengths = vec![0i32; 2 * edges.len()];
        for &(i, j, coupling) in edges {
            for (from, to) in [(i, j), (j, i)] {
                let slot = fill[from as usize] as usize;
                neighbours[slot] = to;
                strengths[slot] = coupling;
                fill[from as usize] += 1;
            }
        }
        Self { offsets, neighbours, strengths }
    }

    /// Number of spins.
    #[inline]
    pub fn spins(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of undirected edges.
    pub fn edges(&self) -> usize {
        self.neighbours.len() / 2
    }

    /// Spin `i`'s neighbours and the coupling to each.
    #[inline(always)]
    pub fn row(&self, i: usize) -> (&[u32], &[i32]) {
        let (start, end) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
        (&self.neighbours[start..end], &self.strengths[start..end])
    }

    /// The root-mean-square local field of a random state, `sqrt(mean_i sum_j J_ij^2)`:
    /// the typical size of `f_i` before any order sets in, a temperature scale.
    pub fn rms_field(&self) -> f64 {
        let sum: f64 = self.strengths.iter().map(|&c| f64::from(c) * f64::from(c)).sum();
        (sum / self.spins() as f64).sqrt()
    }

    /// The smallest nonzero |J_ij| (1 when every coupling is zero).
    pub fn min_strength(&self) -> i32 {
        self.strengths.iter().map(|c| c.abs()).filter(|&c| c > 0).min().unwrap_or(1)
    }

    /// Every edge once, as `(i, j, J_ij)` with `i < j`.
    pub fn edge_list(&self) -> impl Iterator<Item = (usize, usize, i32)> + '_ {
        (0..self.spins()).flat_map(move |i| {
            let (nbrs, js) = self.row(i);
            nbrs.iter()
                .zip(js)
                .filter(move |(j, _)| (**j as usize) > i)
                .map(move |(j, c)| (i, *j as usize, *c))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_edge_sits_in_both_rows() {
        let c = Couplings::from_edges(4, &[(0, 1, 1), (1, 2, -1), (0, 3, 2)]);
        assert_eq!(c.spins(), 4);
        assert_eq!(c.edges(), 3);
        assert_eq!(c.row(0), (&[1u32, 3][..], &[1, 2][..]));
        assert_eq!(c.row(1), (&[0u32, 2][..], &[1, -1][..]));
        assert_eq!(c.row(3), (&[0u32][..], &[2][..]));
        assert_eq!(c.edge_list().collect::<Vec<_>>(), vec![(0, 1, 1), (0, 3, 2), (1, 2, -1)]);
    }
}
