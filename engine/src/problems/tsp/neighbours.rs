//! `NeighbourLists`: each city's k nearest cities, the candidates of TSP moves.
//!
//! On a good tour almost every edge joins a city to one of its few nearest
//! neighbours, so a move that links a city to a far-away one is nearly always
//! rejected once the tour is half-way annealed. Drawing the new edge from the k
//! nearest cities instead (the candidate lists of Lin-Kernighan and of most fast
//! local searches) keeps proposals worth pricing at every size.
//!
//! The lists are built with a uniform grid of square cells, about two cities per
//! cell: each city's search scans the rings of cells around its own, outwards, and
//! stops as soon as no farther ring can hold a closer city. With cities spread over
//! the plane that is O(k) work per city, so 100,000 cities take tens of
//! milliseconds. The result is exact: neighbours are ordered by Euclidean distance
//! of the coordinates, ties by city index, so it is the same on every machine.

/// The `k` nearest other cities of every city, nearest first, stored flat, with
/// each one's TSPLIB distance (a local search reads them far more often than any
/// other distance, and the table, if any, is much larger than the cache).
#[derive(Clone)]
pub(crate) struct NeighbourLists {
    k: usize,
    lists: Vec<u32>,
    distances: Vec<u32>,
}

impl NeighbourLists {
    /// The `k` nearest neighbours of each of `coords` (k is cut to `n - 1`).
    pub fn build(coords: &[(f64, f64)], k: usize) -> Self {
        let n = coords.len();
        let k = k.min(n.saturating_sub(1));
        let grid = Grid::new(coords);
        let mut lists = Vec::with_capacity(n * k);
        let mut best: Vec<(f64, u32)> = Vec::with_capacity(k + 1);
        for city in 0..n {
            grid.nearest(coords, city, k, &mut best);
            lists.extend(best.iter().map(|&(_, c)| c));
        }
        let distances = lists
            .iter()
            .enumerate()
            .map(|(at, &c)| super::distance::euc_2d(coords[at / k.max(1)], coords[c as usize]))
            .collect();
        Self { k, lists, distances }
    }

    /// Neighbours per city.
    #[inline(always)]
    pub fn k(&self) -> usize {
        self.k
    }

    /// The `rank`-th nearest neighbour of `city` (rank 0 is the nearest).
    #[inline(always)]
    pub fn get(&self, city: u32, rank: usize) -> u32 {
        self.lists[city as usize * self.k + rank]
    }

    /// The TSPLIB distance from `city` to its `rank`-th nearest neighbour.
    #[inline(always)]
    pub fn distance(&self, city: u32, rank: usize) -> i64 {
        i64::from(self.distances[city as usize * self.k + rank])
    }

    /// All neighbours of `city`, nearest first.
    #[cfg(test)]
    pub fn of(&self, city: u32) -> &[u32] {
        &self.lists[city as usize * self.k..(city as usize + 1) * self.k]
    }
}

impl std::fmt::Debug for NeighbourLists {
    /// The lists themselves are too long to print usefully.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NeighbourLists({} cities x {})", self.lists.len() / self.k.max(1), self.k)
    }
}

/// Cities bucketed into square cells (counting sort: `starts` indexes `members`).
struct Grid {
    min: (f64, f64),
    cell: f64,
    columns: usize,
    rows: usize,
    starts: Vec<u32>,
    members: Vec<u32>,
}

impl Grid {
    fn new(coords: &[(f64, f64)]) -> Self {
        let n = coords.len();
        let (mut min, mut max) = ((f64::MAX, f64::MAX), (f64::MIN, f64::MIN));
        for &(x, y) in coords {
            min = (min.0.min(x), min.1.min(y));
            max = (max.0.max(x), max.1.max(y));
        }
        let (width, height) = ((max.0 - min.0).max(1e-9), (max.1 - min.1).max(1e-9));
        // About two cities per cell; at most about 2n cells in all, however thin the box.
        let cell = (width * height * 2.0 / n as f64).sqrt().max(width.max(height) / (2.0 * n as f64));
        let columns = ((width / cell) as usize + 1).min(2 * n);
        let rows = ((height / cell) as usize + 1).min(2 * n);
        let mut grid =
            Grid { min, cell, columns, rows, starts: vec![0; columns * rows + 1], members: vec![0; n] };
        for &p in coords {
            let c = grid.cell_of(p);
            grid.starts[c + 1] += 1;
        }
        for c in 0..columns * rows {
            grid.starts[c + 1] += grid.starts[c];
        }
        let mut fill = grid.starts.clone();
        for (city, &p) in coords.iter().enumerate() {
            let c = grid.cell_of(p);
            grid.members[fill[c] as usize] = city as u32;
            fill[c] += 1;
        }
        grid
    }

    fn column_row(&self, (x, y): (f64, f64)) -> (usize, usize) {
        let column = (((x - self.min.0) / self.cell) as usize).min(self.columns - 1);
        let row = (((y - self.min.1) / self.cell) as usize).min(self.rows - 1);
        (column, row)
    }

    fn cell_of(&self, p: (f64, f64)) -> usize {
        let (column, row) = self.column_row(p);
        row * self.columns + column
    }

    /// Fill `best` with the `k` nearest other cities of `city`, nearest first.
    fn nearest(&self, coords: &[(f64, f64)], city: usize, k: usize, best: &mut Vec<(f64, u32)>) {
        best.clear();
        if k == 0 {
            return;
        }
        let p = coords[city];
        let (column, row) = self.column_row(p);
        let (column, row) = (column as isize, row as isize);
        let max_ring = self.columns.max(self.rows) as isize;
        for ring in 0..=max_ring {
            self.scan_ring(coords, city, (column, row), ring, k, best);
            // Every city in ring r + 1 or beyond is at least r cells away: stop when
            // the k-th best is strictly closer (a tie could still win on index).
            let reach = ring as f64 * self.cell;
            if best.len() == k && best[k - 1].0 < reach * reach {
                break;
            }
        }
    }

    fn scan_ring(
        &self,
        coords: &[(f64, f64)],
        city: usize,
        (column, row): (isize, isize),
        ring: isize,
        k: usize,
        best: &mut Vec<(f64, u32)>,
    ) {
        let p = coords[city];
        for r in row - ring..=row + ring {
            if r < 0 || r >= self.rows as isize {
                continue;
            }
            let on_edge_row = r == row - ring || r == row + ring;
            let step = if on_edge_row || ring == 0 { 1 } else { 2 * ring };
            let mut c = column - ring;
            while c <= column + ring {
                if c >= 0 && c < self.columns as isize {
                    let cell = r as usize * self.columns + c as usize;
                    for &other in &self.members[self.starts[cell] as usize..self.starts[cell + 1] as usize] {
                        if other as usize != city {
                            let q = coords[other as usize];
                            let d = (q.0 - p.0).powi(2) + (q.1 - p.1).powi(2);
                            insert_bounded(best, k, (d, other));
                        }
                    }
                }
                c += step;
            }
        }
    }
}

/// `a` comes before `b`: closer, or as close with a smaller index.
#[inline]
fn precedes(a: (f64, u32), b: (f64, u32)) -> bool {
    a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
}

/// Insert into a list kept sorted by [`precedes`] and at most `k` long.
fn insert_bounded(best: &mut Vec<(f64, u32)>, k: usize, candidate: (f64, u32)) {
    if best.len() == k && !precedes(candidate, best[k - 1]) {
        return;
    }
    let at = best.iter().position(|&a| !precedes(a, candidate)).unwrap_or(best.len());
    best.insert(at, candidate);
    best.truncate(k);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force: sort every other city by (distance, index).
    fn brute_force(coords: &[(f64, f64)], city: usize, k: usize) -> Vec<u32> {
        let p = coords[city];
        let mut all: Vec<(f64, u32)> = (0..coords.len())
            .filter(|&o| o != city)
            .map(|o| ((coords[o].0 - p.0).powi(2) + (coords[o].1 - p.1).powi(2), o as u32))
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        all.into_iter().take(k).map(|(_, c)| c).collect()
    }

    fn check(coords: &[(f64, f64)], k: usize) {
        let lists = NeighbourLists::build(coords, k);
        for city in 0..coords.len() {
            assert_eq!(
                lists.of(city as u32),
                brute_force(coords, city, k.min(coords.len() - 1)),
                "city {city}"
            );
        }
    }

    #[test]
    fn lists_match_brute_force_on_scattered_clustered_and_degenerate_cities() {
        use super::super::Layout;
        use super::super::random::cities;
        check(&cities(500, Layout::Uniform, 3), 10);
        check(&cities(500, Layout::Clustered, 4), 10);
        // On a line, on a lattice full of ties, all on one point, and tiny.
        check(&(0..200).map(|i| (i as f64 * 3.0, 7.0)).collect::<Vec<_>>(), 8);
        check(&(0..225).map(|i| ((i % 15) as f64, (i / 15) as f64)).collect::<Vec<_>>(), 10);
        check(&vec![(5.0, 5.0); 30], 10);
        check(&[(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)], 10);
    }
}
