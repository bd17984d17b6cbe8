//! Headless isomer runs with their default settings ([`Isomer::headless_config`])
//! reach the smallest Wiener index of the alkanes through C16.
//!
//! The oracle is computed here, independently of the engine: every alkane skeleton
//! (tree with maximum degree 4) of n carbons is enumerated exhaustively, by adding
//! a leaf in every possible place to every tree of n - 1 carbons and keeping one
//! tree per canonical form (AHU's rooted-tree code, taken from the tree's centre).
//! The enumeration proves itself complete by reproducing OEIS A000602's alkane
//! counts (`tests/data/isomers.tsv`), and its minima agree with the published
//! values: 108 for C10H22 (`isomers.tsv`) and 348 for C16H34. The minimum-Wiener
//! trees of bounded degree are characterised in M. Fischermann, A. Hoffmann,
//! D. Rautenbach, L. Szekely, L. Volkmann, "Wiener index versus maximum degree in
//! trees", Discrete Applied Mathematics 122 (2002) 127-137.

use std::collections::{HashMap, HashSet};

use kiln_engine::problems::isomer::{Isomer, Objective};
use kiln_engine::{Annealer, Direction};

/// A tree as adjacency lists.
type Tree = Vec<Vec<usize>>;

/// AHU code of the subtree at `v` seen from `parent`: "(" + sorted child codes + ")".
fn rooted_code(tree: &Tree, v: usize, parent: usize) -> String {
    let mut children: Vec<String> =
        tree[v].iter().filter(|&&c| c != parent).map(|&c| rooted_code(tree, c, v)).collect();
    children.sort();
    format!("({})", children.concat())
}

/// The centre (one vertex, or two adjacent ones) by peeling leaves.
fn centre(tree: &Tree) -> Vec<usize> {
    let n = tree.len();
    let mut degree: Vec<usize> = tree.iter().map(Vec::len).collect();
    let mut leaves: Vec<usize> = (0..n).filter(|&v| degree[v] <= 1).collect();
    let mut left = n;
    while left > 2 {
        left -= leaves.len();
        let mut next = Vec::new();
        for &leaf in &leaves {
            for &u in &tree[leaf] {
                degree[u] -= 1;
                if degree[u] == 1 {
                    next.push(u);
                }
            }
        }
        leaves = next;
    }
    leaves
}

/// A code equal for isomorphic trees and different otherwise.
fn canonical(tree: &Tree) -> String {
    match centre(tree)[..] {
        [c] => rooted_code(tree, c, usize::MAX),
        [a, b] => {
            let (x, y) = (rooted_code(tree, a, b), rooted_code(tree, b, a));
            if x <= y { format!("{x}{y}") } else { format!("{y}{x}") }
        }
        _ => unreachable!("a tree has one or two centres"),
    }
}

/// Sum of distances over all pairs, by a breadth-first search from every vertex.
fn wiener(tree: &Tree) -> u32 {
    let n = tree.len();
    let mut total = 0;
    for s in 0..n {
        let mut dist = vec![u32::MAX; n];
        dist[s] = 0;
        let mut queue = std::collections::VecDeque::from([s]);
        while let Some(u) = queue.pop_front() {
            for &v in &tree[u] {
                if dist[v] == u32::MAX {
                    dist[v] = dist[u] + 1;
                    total += dist[v];
                    queue.push_back(v);
                }
            }
        }
    }
    total / 2
}

/// Per carbon count 1..=max: (number of alkane skeletons, smallest Wiener index).
fn enumerate_alkanes(max: usize) -> Vec<(usize, u32)> {
    let mut level: Vec<Tree> = vec![vec![vec![]]];
    let mut out = vec![(1, 0)];
    for _ in 2..=max {
        let mut seen = HashSet::new();
        let mut next = Vec::new();
        for tree in &level {
            for v in 0..tree.len() {
                if tree[v].len() < 4 {
                    let mut grown = tree.clone();
                    let leaf = grown.len();
                    grown.push(vec![v]);
                    grown[v].push(leaf);
                    if seen.insert(canonical(&grown)) {
                        next.push(grown);
                    }
                }
            }
        }
        out.push((next.len(), next.iter().map(wiener).min().unwrap()));
        level = next;
    }
    out
}

/// Alkane counts of `tests/data/isomers.tsv` (OEIS A000602), by carbon count.
fn published_counts() -> HashMap<usize, usize> {
    include_str!("data/isomers.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let formula = cols.next()?;
            let carbons: usize = formula.strip_prefix('C')?.split_once('H')?.0.parse().ok()?;
            (formula == format!("C{carbons}H{}", 2 * carbons + 2)).then_some(())?;
            Some((carbons, cols.next()?.parse().ok()?))
        })
        .collect()
}

fn minimum_wiener(carbons: usize) -> u32 {
    let table = enumerate_alkanes(carbons);
    let counts = published_counts();
    for (n, &(count, _)) in table.iter().enumerate().skip(3) {
        assert_eq!(Some(&count), counts.get(&(n + 1)), "C{}: enumeration incomplete", n + 1);
    }
    table[carbons - 1].1
}

#[test]
fn the_enumerated_minima_match_the_published_ones() {
    let table = enumerate_alkanes(16);
    assert_eq!(table[9].1, 108, "C10H22, isomers.tsv");
    assert_eq!(table[15].1, 348, "C16H34, Fischermann et al. 2002");
    assert_eq!(minimum_wiener(16), 348);
}

/// Best Wiener index of a headless run of `formula` with the defaults.
fn headless_best(formula: &str) -> f64 {
    let problem = Isomer::new(formula, Objective::default()).unwrap();
    let config = problem.headless_config(42, Direction::Minimize);
    let mut sa = Annealer::new(problem, config).unwrap();
    sa.run(u64::MAX);
    sa.best_energy()
}

#[test]
fn c10h22_headless_defaults_reach_the_minimum_wiener_index() {
    assert_eq!(headless_best("C10H22"), f64::from(minimum_wiener(10)));
}

#[test]
fn c16h34_headless_defaults_reach_the_minimum_wiener_index() {
    assert_eq!(headless_best("C16H34"), f64::from(minimum_wiener(16)));
}
