//! Planarity testing and combinatorial embedding of a molecule's graph.
//!
//! A graph is drawable without crossing bonds exactly when it is planar; the
//! depiction of polycycles and cages ([`super::embedding`]) starts from a
//! combinatorial embedding: around each atom, the cyclic order of its bonds in
//! some crossing-free drawing. The faces of that embedding are the regions a
//! drawing will have, so the drawing can pick which one goes outside.
//!
//! The test is the path-addition algorithm of Demoucron, Malgrange and
//! Pertuiset (1964), run on each biconnected block: start from a cycle, then
//! repeatedly take the fragment (a bond, or a piece of the rest with the bonds
//! tying it on) that fits into the fewest faces, and draw one path of it
//! through one of those faces, splitting it in two. A fragment that fits into
//! no face proves the graph non-planar. It is quadratic, which is nothing for
//! molecules of a few dozen atoms, and far shorter than a linear-time test.
//! Blocks meet at cut atoms, where their cyclic orders are concatenated (a
//! block set into a corner of another keeps the drawing crossing-free).
//!
//! No well-kept Rust crate returns an embedding: rustworkx-core's `is_planar`
//! answers only yes or no, and would bring petgraph, ndarray and rayon with it.

use std::collections::VecDeque;

/// A combinatorial embedding: each vertex's neighbours in cyclic order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Embedding {
    rotation: Vec<Vec<usize>>,
}

impl Embedding {
    /// The embedding of `count` vertices and no edges.
    pub(super) fn without_edges(count: usize) -> Embedding {
        Embedding { rotation: vec![Vec::new(); count] }
    }

    /// The faces: each the closed walk of vertices along its boundary (a vertex or bond may appear
    /// twice in one walk, around a cut atom or along a chain). Each bond is walked once in each
    /// direction over all faces.
    pub(super) fn faces(&self) -> Vec<Vec<usize>> {
        let mut used: Vec<Vec<bool>> = self.rotation.iter().map(|r| vec![false; r.len()]).collect();
        let mut faces = Vec::new();
        for start in 0..self.rotation.len() {
            for first in 0..self.rotation[start].len() {
                if used[start][first] {
                    continue;
                }
                let mut face = Vec::new();
                let (mut at, mut slot) = (start, first);
                while !used[at][slot] {
                    used[at][slot] = true;
                    face.push(at);
                    let next = self.rotation[at][slot];
                    // The dart after at -> next leaves next by the neighbour after `at` in next's order.
                    let back = self.rotation[next].iter().position(|&n| n == at).unwrap_or(0);
                    (at, slot) = (next, (back + 1) % self.rotation[next].len());
                }
                faces.push(face);
            }
        }
        faces
    }

    /// Each vertex's neighbours, in the cyclic order of the embedding.
    #[cfg(test)]
    pub(super) fn rotation(&self) -> &[Vec<usize>] {
        &self.rotation
    }
}

/// A planar embedding of the simple graph with these neighbour lists, or `None` if it is not planar.
pub(super) fn embed(neighbours: &[Vec<usize>]) -> Option<Embedding> {
    let mut rotation = vec![Vec::new(); neighbours.len()];
    for block in blocks(neighbours) {
        for (vertex, order) in embed_block(&block)? {
            rotation[vertex].extend(order);
        }
    }
    Some(Embedding { rotation })
}

/// The biconnected blocks of the graph, each as its list of edges (Hopcroft-Tarjan).
fn blocks(neighbours: &[Vec<usize>]) -> Vec<Vec<(usize, usize)>> {
    let count = neighbours.len();
    let mut order = vec![usize::MAX; count];
    let mut low = vec![0; count];
    let mut edges: Vec<(usize, usize)> = Vec::new();
    let mut blocks = Vec::new();
    let mut clock = 0;
    for root in 0..count {
        if order[root] != usize::MAX {
            continue;
        }
        order[root] = clock;
        low[root] = clock;
        clock += 1;
        // Iterative depth-first search: (vertex, parent, next neighbour index).
        let mut stack = vec![(root, usize::MAX, 0)];
        while let Some(&mut (vertex, parent, ref mut next)) = stack.last_mut() {
            if let Some(&child) = neighbours[vertex].get(*next) {
                *next += 1;
                if order[child] == usize::MAX {
                    edges.push((vertex, child));
                    order[child] = clock;
                    low[child] = clock;
                    clock += 1;
                    stack.push((child, vertex, 0));
                } else if child != parent && order[child] < order[vertex] {
                    edges.push((vertex, child));
                    low[vertex] = low[vertex].min(order[child]);
                }
                continue;
            }
            stack.pop();
            if parent == usize::MAX {
                continue;
            }
            low[parent] = low[parent].min(low[vertex]);
            if low[vertex] >= order[parent] {
                // `parent` separates the subtree of `vertex`: its edges since (parent, vertex) form a block.
                let at = edges.iter().rposition(|&e| e == (parent, vertex)).unwrap_or(0);
                blocks.push(edges.split_off(at));
            }
        }
    }
    blocks
}

/// The cyclic order of each vertex's neighbours within one block, or `None` if the block is not planar.
fn embed_block(block: &[(usize, usize)]) -> Option<Vec<(usize, Vec<usize>)>> {
    let mut vertices: Vec<usize> = block.iter().flat_map(|&(a, b)| [a, b]).collect();
    vertices.sort_unstable();
    vertices.dedup();
    let local = |v: usize| vertices.binary_search(&v).unwrap_or(0);
    let size = vertices.len();
    let mut adjacent = vec![Vec::new(); size];
    for &(a, b) in block {
        adjacent[local(a)].push(local(b));
        adjacent[local(b)].push(local(a));
    }
    adjacent.iter_mut().for_each(|list| list.sort_unstable());
    if block.len() == 1 {
        return Some(vec![(vertices[0], vec![vertices[1]]), (vertices[1], vec![vertices[0]])]);
    }
    let faces = path_addition(&adjacent)?;
    // In a face walk ... a, b, c ..., c follows a in b's cyclic order.
    let mut after = vec![vec![usize::MAX; size]; size];
    for face in &faces {
        for i in 0..face.len() {
            let (a, b, c) = (face[i], face[(i + 1) % face.len()], face[(i + 2) % face.len()]);
            after[b][a] = c;
        }
    }
    Some(
        (0..size)
            .map(|v| {
                let mut order = vec![adjacent[v][0]];
                while order.len() < adjacent[v].len() {
                    let next = after[v][order[order.len() - 1]];
                    if next == usize::MAX || next == order[0] {
                        break;
                    }
                    order.push(next);
                }
                (vertices[v], order.into_iter().map(|n| vertices[n]).collect())
            })
            .collect(),
    )
}

/// One piece of the graph not yet drawn: a bond between two drawn vertices, or a connected set of
/// undrawn vertices; `contacts` are the drawn vertices it touches.
struct Fragment {
    inner: Vec<usize>,
    contacts: Vec<usize>,
}

/// The faces (oriented cycles) of a planar embedding of a biconnected graph, by path addition.
fn path_addition(adjacent: &[Vec<usize>]) -> Option<Vec<Vec<usize>>> {
    let size = adjacent.len();
    let edge_total: usize = adjacent.iter().map(Vec::len).sum::<usize>() / 2;
    let mut drawn_vertex = vec![false; size];
    let mut drawn_edge = vec![vec![false; size]; size];
    // A first cycle: the bond 0-n closed by the shortest path between its ends that avoids it.
    let cycle =
        path(adjacent, 0, &|v| v == adjacent[0][0], &|from, to| !(from == 0 && to == adjacent[0][0]))?;
    let mut drawn_edges = 0;
    for i in 0..cycle.len() {
        let (a, b) = (cycle[i], cycle[(i + 1) % cycle.len()]);
        drawn_vertex[a] = true;
        drawn_edge[a][b] = true;
        drawn_edge[b][a] = true;
        drawn_edges += 1;
    }
    let mut faces = vec![cycle.clone(), cycle.into_iter().rev().collect::<Vec<_>>()];
    while drawn_edges < edge_total {
        let fragments = fragments(adjacent, &drawn_vertex, &drawn_edge);
        let fits = |fragment: &Fragment| -> Vec<usize> {
            (0..faces.len()).filter(|&f| fragment.contacts.iter().all(|c| faces[f].contains(c))).collect()
        };
        let (fragment, face) = fragments
            .iter()
            .map(|fragment| (fragment, fits(fragment)))
            .min_by_key(|(_, faces)| faces.len())
            .map(|(fragment, faces)| (fragment, faces.first().copied()))?;
        let face = face?;
        // A path through the fragment between two of its contacts.
        let from = fragment.contacts[0];
        let route = if fragment.inner.is_empty() {
            vec![from, fragment.contacts[1]]
        } else {
            path(adjacent, from, &|v| drawn_vertex[v] && v != from, &|a, b| {
                (a == from && fragment.inner.contains(&b)) || fragment.inner.contains(&a)
            })?
        };
        for pair in route.windows(2) {
            drawn_vertex[pair[0]] = true;
            drawn_vertex[pair[1]] = true;
            drawn_edge[pair[0]][pair[1]] = true;
            drawn_edge[pair[1]][pair[0]] = true;
            drawn_edges += 1;
        }
        let (to, boundary) = (route[route.len() - 1], &faces[face]);
        let (i, j) = (position(boundary, from), position(boundary, to));
        let along = |start: usize, end: usize| {
            let mut walk = vec![boundary[start]];
            let mut k = start;
            while k != end {
                k = (k + 1) % boundary.len();
                walk.push(boundary[k]);
            }
            walk
        };
        let interior = &route[1..route.len() - 1];
        let mut first = along(i, j);
        first.extend(interior.iter().rev());
        let mut second = along(j, i);
        second.extend(interior);
        faces[face] = first;
        faces.push(second);
    }
    Some(faces)
}

fn position(walk: &[usize], vertex: usize) -> usize {
    walk.iter().position(|&v| v == vertex).unwrap_or(0)
}

/// The undrawn pieces of the graph relative to the drawn part.
fn fragments(adjacent: &[Vec<usize>], drawn_vertex: &[bool], drawn_edge: &[Vec<bool>]) -> Vec<Fragment> {
    let size = adjacent.len();
    let mut fragments = Vec::new();
    for a in 0..size {
        for &b in &adjacent[a] {
            if a < b && drawn_vertex[a] && drawn_vertex[b] && !drawn_edge[a][b] {
                fragments.push(Fragment { inner: Vec::new(), contacts: vec![a, b] });
            }
        }
    }
    let mut seen = vec![false; size];
    for start in 0..size {
        if drawn_vertex[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        let (mut inner, mut contacts) = (vec![start], Vec::new());
        let mut next = 0;
        while next < inner.len() {
            for &n in &adjacent[inner[next]] {
                if drawn_vertex[n] {
                    if !contacts.contains(&n) {
                        contacts.push(n);
                    }
                } else if !seen[n] {
                    seen[n] = true;
                    inner.push(n);
                }
            }
            next += 1;
        }
        contacts.sort_unstable();
        fragments.push(Fragment { inner, contacts });
    }
    fragments
}

/// A shortest path from `from` to a vertex satisfying `goal`, using only steps `allowed(a, b)`.
fn path(
    adjacent: &[Vec<usize>],
    from: usize,
    goal: &dyn Fn(usize) -> bool,
    allowed: &dyn Fn(usize, usize) -> bool,
) -> Option<Vec<usize>> {
    let mut previous = vec![usize::MAX; adjacent.len()];
    previous[from] = from;
    let mut queue = VecDeque::from([from]);
    while let Some(at) = queue.pop_front() {
        for &next in &adjacent[at] {
            if previous[next] != usize::MAX || !allowed(at, next) {
                continue;
            }
            previous[next] = at;
            if goal(next) {
                let mut route = vec![next];
                let mut back = next;
                while back != from {
                    back = previous[back];
                    route.push(back);
                }
                route.reverse();
                return Some(route);
            }
            queue.push_back(next);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(count: usize, edges: &[(usize, usize)]) -> Vec<Vec<usize>> {
        let mut neighbours = vec![Vec::new(); count];
        for &(a, b) in edges {
            neighbours[a].push(b);
            neighbours[b].push(a);
        }
        neighbours.iter_mut().for_each(|list| list.sort_unstable());
        neighbours
    }

    fn complete(count: usize) -> Vec<(usize, usize)> {
        (0..count).flat_map(|a| (a + 1..count).map(move |b| (a, b))).collect()
    }

    fn components(neighbours: &[Vec<usize>]) -> usize {
        let mut seen = vec![false; neighbours.len()];
        let mut count = 0;
        for start in 0..neighbours.len() {
            if seen[start] {
                continue;
            }
            count += 1;
            let mut stack = vec![start];
            seen[start] = true;
            while let Some(v) = stack.pop() {
                for &n in &neighbours[v] {
                    if !seen[n] {
                        seen[n] = true;
                        stack.push(n);
                    }
                }
            }
        }
        count
    }

    /// Euler's formula for a rotation system: each component is drawn on a sphere with
    /// V - E + F = 2 exactly when it is planar (an isolated vertex counting one face).
    fn is_plane(neighbours: &[Vec<usize>], embedding: &Embedding) -> bool {
        let edges: usize = neighbours.iter().map(Vec::len).sum::<usize>() / 2;
        let isolated = neighbours.iter().filter(|n| n.is_empty()).count();
        let faces = embedding.faces().len() + isolated;
        faces + neighbours.len() == 2 * components(neighbours) + edges
    }

    /// Brute force, independent of path addition: some rotation system satisfies Euler's formula.
    fn planar_by_brute_force(neighbours: &[Vec<usize>]) -> bool {
        fn permutations(items: &[usize]) -> Vec<Vec<usize>> {
            // Cyclic orders: the first item fixed, the rest permuted.
            if items.len() <= 2 {
                return vec![items.to_vec()];
            }
            let mut out = Vec::new();
            let rest = &items[1..];
            let mut permute = |list: Vec<usize>| {
                let mut all = vec![items[0]];
                all.extend(list);
                out.push(all);
            };
            fn each(rest: &[usize], chosen: Vec<usize>, f: &mut dyn FnMut(Vec<usize>)) {
                if rest.is_empty() {
                    f(chosen);
                    return;
                }
                for i in 0..rest.len() {
                    let mut next = chosen.clone();
                    next.push(rest[i]);
                    let remaining: Vec<usize> =
                        rest.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, &v)| v).collect();
                    each(&remaining, next, f);
                }
            }
            each(rest, Vec::new(), &mut permute);
            out
        }
        let choices: Vec<Vec<Vec<usize>>> = neighbours.iter().map(|n| permutations(n)).collect();
        let mut index = vec![0; neighbours.len()];
        loop {
            let rotation = (0..neighbours.len()).map(|v| choices[v][index[v]].clone()).collect();
            if is_plane(neighbours, &Embedding { rotation }) {
                return true;
            }
            let mut v = 0;
            loop {
                if v == neighbours.len() {
                    return false;
                }
                index[v] += 1;
                if index[v] < choices[v].len() {
                    break;
                }
                index[v] = 0;
                v += 1;
            }
        }
    }

    #[test]
    fn kuratowski_graphs_are_not_planar() {
        assert!(embed(&graph(5, &complete(5))).is_none());
        let k33: Vec<(usize, usize)> = (0..3).flat_map(|a| (3..6).map(move |b| (a, b))).collect();
        assert!(embed(&graph(6, &k33)).is_none());
        // The Petersen graph contains a subdivided K3,3.
        let petersen = [
            (0, 1),
            (1, 2),
            (2, 3),
            (3, 4),
            (4, 0),
            (0, 5),
            (1, 6),
            (2, 7),
            (3, 8),
            (4, 9),
            (5, 7),
            (7, 9),
            (9, 6),
            (6, 8),
            (8, 5),
        ];
        assert!(embed(&graph(10, &petersen)).is_none());
    }

    #[test]
    fn cages_and_polycycles_embed_without_crossings() {
        let cube =
            [(0, 1), (1, 2), (2, 3), (3, 0), (4, 5), (5, 6), (6, 7), (7, 4), (0, 4), (1, 5), (2, 6), (3, 7)];
        let prism = [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (0, 3), (1, 4), (2, 5)];
        let spiro = [(0, 1), (1, 2), (2, 0), (0, 3), (3, 4), (4, 0), (4, 5)];
        for (count, edges) in [(8, &cube[..]), (6, &prism[..]), (4, &complete(4)[..]), (6, &spiro[..])] {
            let neighbours = graph(count, edges);
            let embedding = embed(&neighbours).expect("planar");
            assert!(is_plane(&neighbours, &embedding), "{edges:?}");
        }
        // The cube's faces are its six squares.
        let cube_faces = embed(&graph(8, &cube)).unwrap().faces();
        assert_eq!(cube_faces.iter().map(Vec::len).collect::<Vec<_>>(), [4; 6]);
    }

    #[test]
    fn agrees_with_brute_force_on_small_graphs() {
        // Deterministic pseudo-random graphs of 4 to 7 vertices, at most four bonds an atom.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut random = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let (mut planar, mut not_planar) = (0, 0);
        for _ in 0..400 {
            let count = 4 + (random() % 4) as usize;
            let mut neighbours = vec![Vec::new(); count];
            for (a, b) in complete(count) {
                if random() % 100 < 65 && neighbours[a].len() < 4 && neighbours[b].len() < 4 {
                    neighbours[a].push(b);
                    neighbours[b].push(a);
                }
            }
            neighbours.iter_mut().for_each(|list: &mut Vec<usize>| list.sort_unstable());
            let expected = planar_by_brute_force(&neighbours);
            let embedding = embed(&neighbours);
            assert_eq!(embedding.is_some(), expected, "{neighbours:?}");
            if let Some(embedding) = embedding {
                assert!(is_plane(&neighbours, &embedding), "{neighbours:?}: {:?}", embedding.rotation());
                planar += 1;
            } else {
                not_planar += 1;
            }
        }
        assert!(planar > 50 && not_planar > 20, "{planar} planar, {not_planar} not");
    }
}
