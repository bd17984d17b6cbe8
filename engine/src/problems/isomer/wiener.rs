//! The Wiener index: the sum of shortest-path distances over all pairs of heavy atoms.
//!
//! Breadth-first search on neighbour bitmasks: from each source, the next distance
//! layer is the union of the current layer's neighbour masks minus what was
//! reached, so one source costs one OR per atom and the whole index O(n^2) word
//! operations, with no allocation.

use super::molecule::bits;

/// Wiener index of a connected graph given by its neighbour masks.
///
/// Pairs that cannot reach each other contribute nothing (callers only price
/// connected graphs).
#[inline]
pub fn wiener_index(adjacency: &[u64]) -> u32 {
    let n = adjacency.len();
    let mut twice = 0u32;
    for source in 0..n {
        let mut reached = 1u64 << source;
        let mut layer = reached;
        let mut distance = 0u32;
        while layer != 0 {
            // Each atom is visited once, at its distance: adding it here instead of
            // counting the layer's bits keeps popcount (a dozen instructions without
            // the CPU feature) out of the loop.
            let mut next = 0u64;
            for v in bits(layer) {
                next |= adjacency[v];
                twice += distance;
            }
            distance += 1;
            layer = next & !reached;
            reached |= layer;
        }
    }
    twice / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(n: usize) -> Vec<u64> {
        (0..n)
            .map(|i| {
                let mut m = 0u64;
                if i > 0 {
                    m |= 1 << (i - 1);
                }
                if i + 1 < n {
                    m |= 1 << (i + 1);
                }
                m
            })
            .collect()
    }

    #[test]
    fn a_chain_of_n_atoms_has_n_cubed_minus_n_over_six() {
        for n in 1..=64usize {
            assert_eq!(wiener_index(&path(n)) as usize, n * (n * n - 1) / 6, "n = {n}");
        }
    }

    #[test]
    fn a_six_ring_has_twenty_seven() {
        let ring: Vec<u64> = (0..6).map(|i| (1u64 << ((i + 1) % 6)) | (1u64 << ((i + 5) % 6))).collect();
        assert_eq!(wiener_index(&ring), 27);
    }

    #[test]
    fn neopentane_has_sixteen() {
        let star = vec![0b11110, 1, 1, 1, 1];
        assert_eq!(wiener_index(&star), 16);
    }
}
