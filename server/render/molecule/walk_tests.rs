//! The geometric check over every structure hot isomer walks visit: C6H6,
//! C8H10 and C10H8 at a constant T = 1000 over several seeds, thousands of
//! distinct polycycles and cages. Planarity is decided by [`super::planar`]
//! (checked against brute force in its own tests), independently of the
//! layout; every planar graph must be drawn without crossing bonds, no atom
//! may sit on a bond it is not part of, and no quaternary ring atom may be
//! drawn as a "+" (two bonds straight through it). The crossing counts of the
//! non-planar graphs (each one, and how many graphs have 1, 2, ... crossings),
//! the SVGs of the hardest cages (most crossings) and of a few typical C10H8
//! cages go under `target/cage-screenshots/` for review.

use std::collections::BTreeMap;

use kiln_engine::problems::isomer::{Isomer, Objective};
use kiln_engine::{AnnealConfig, Annealer, Batch, ScheduleKind};

use super::geometry::{Point, segments_cross};
use super::rings::neighbour_lists;
use super::{DrawBond, MoleculeDrawing, layout, molecule_svg, planar, valid_bonds};

/// Closest an atom may come to a bond it is not part of, in bond lengths (a stroke is 1/15 of a bond).
const MIN_ATOM_BOND_DISTANCE: f64 = 0.25;
/// Cosine beyond which two bonds at an atom read as one straight line through it (about 160°).
const STRAIGHT: f64 = -0.94;

/// Every distinct structure (by canonical SMILES) that hot walks of `formula` visit over `seeds`.
fn visited(formula: &str, seeds: std::ops::Range<u64>, steps: u64) -> BTreeMap<String, MoleculeDrawing> {
    let mut seen = BTreeMap::new();
    for seed in seeds {
        let config = AnnealConfig {
            seed,
            schedule: ScheduleKind::Constant,
            initial_temp: 1000.0,
            steps_per_cycle: steps,
            cycles: 1,
            batch: Batch::Fixed(1),
            ..AnnealConfig::default()
        };
        let problem = Isomer::new(formula, Objective::default()).expect("formula");
        let mut annealer = Annealer::new(problem, config).expect("config");
        let problem = annealer.problem().clone();
        seen.entry(problem.canonical_smiles(annealer.state()))
            .or_insert_with(|| MoleculeDrawing::from(annealer.state()));
        annealer.run_observed(steps, &mut |m| {
            seen.entry(problem.canonical_smiles(m)).or_insert_with(|| MoleculeDrawing::from(m));
        });
    }
    seen
}

fn crossings(points: &[Point], bonds: &[DrawBond]) -> usize {
    let mut count = 0;
    for (i, x) in bonds.iter().enumerate() {
        for y in &bonds[i + 1..] {
            count += usize::from(segments_cross(points[x.a], points[x.b], points[y.a], points[y.b]));
        }
    }
    count
}

fn distance_to_segment(point: Point, from: Point, to: Point) -> f64 {
    let along = to - from;
    let t = ((point - from).dot(along) / along.dot(along).max(1e-12)).clamp(0.0, 1.0);
    point.distance(from + along * t)
}

/// The smallest distance from an atom to a bond it is not part of.
fn closest_atom_to_bond(points: &[Point], bonds: &[DrawBond]) -> f64 {
    bonds
        .iter()
        .flat_map(|bond| {
            (0..points.len())
                .filter(move |&atom| atom != bond.a && atom != bond.b)
                .map(move |atom| distance_to_segment(points[atom], points[bond.a], points[bond.b]))
        })
        .fold(f64::INFINITY, f64::min)
}

/// Atoms with four bonds, in a ring, whose bonds form two straight lines through them: a "+".
fn plus_atoms(points: &[Point], neighbours: &[Vec<usize>], in_ring: &[bool]) -> Vec<usize> {
    (0..points.len())
        .filter(|&atom| neighbours[atom].len() == 4 && in_ring[atom])
        .filter(|&atom| {
            let directions: Vec<Point> =
                neighbours[atom].iter().map(|&n| (points[n] - points[atom]).unit()).collect();
            let straight = |i: usize, j: usize| directions[i].dot(directions[j]) < STRAIGHT;
            // The four bonds split into two pairs in three ways; a "+" is a split into two straight lines.
            [((0, 1), (2, 3)), ((0, 2), (1, 3)), ((0, 3), (1, 2))]
                .iter()
                .any(|&((a, b), (c, d))| straight(a, b) && straight(c, d))
        })
        .collect()
}

/// Whether each atom lies on a cycle: some bond of it is not a bridge.
fn ring_atoms(neighbours: &[Vec<usize>]) -> Vec<bool> {
    let reachable_without = |a: usize, b: usize| {
        let mut seen = vec![false; neighbours.len()];
        seen[a] = true;
        let mut stack = vec![a];
        while let Some(v) = stack.pop() {
            for &n in &neighbours[v] {
                if (v, n) != (a, b) && !seen[n] {
                    seen[n] = true;
                    stack.push(n);
                }
            }
        }
        seen[b]
    };
    (0..neighbours.len()).map(|a| neighbours[a].iter().any(|&b| reachable_without(a, b))).collect()
}

/// What the survey of all visited structures found.
struct Survey {
    checked: usize,
    planar: usize,
    /// Planar graphs drawn with crossing bonds.
    crossed_planar: Vec<String>,
    /// Drawings with an atom closer than [`MIN_ATOM_BOND_DISTANCE`] to a bond, or a "+" at a quaternary ring atom.
    crowded: Vec<String>,
}

/// Draws every structure the hot walks visit, writes `target/cage-screenshots/report.txt` (crossing
/// counts of the non-planar graphs) and the SVGs of the hardest and of typical C10H8 cages, and
/// returns what it found.
fn survey() -> Survey {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/cage-screenshots");
    std::fs::create_dir_all(&out).expect("target/cage-screenshots");
    let mut report = String::new();
    let mut survey = Survey { checked: 0, planar: 0, crossed_planar: Vec::new(), crowded: Vec::new() };
    let mut hardest: Vec<(usize, usize, String, MoleculeDrawing)> = Vec::new();
    let mut distribution: BTreeMap<usize, usize> = BTreeMap::new();
    let mut c10h8_cages: Vec<(String, MoleculeDrawing)> = Vec::new();
    for formula in ["C6H6", "C8H10", "C10H8"] {
        for (smiles, m) in visited(formula, 1..2, 5_000) {
            let bonds = valid_bonds(&m);
            let neighbours = neighbour_lists(m.atoms.len(), &bonds);
            let points = layout::layout(m.atoms.len(), &bonds).positions;
            let planar = planar::embed(&neighbours).is_some();
            let crossed = crossings(&points, &bonds);
            let closest = closest_atom_to_bond(&points, &bonds);
            let plus = plus_atoms(&points, &neighbours, &ring_atoms(&neighbours));
            survey.checked += 1;
            survey.planar += usize::from(planar);
            if planar && crossed > 0 {
                survey.crossed_planar.push(format!("{smiles}: planar, drawn with {crossed} crossings"));
            }
            if closest < MIN_ATOM_BOND_DISTANCE {
                survey.crowded.push(format!("{smiles}: an atom {closest:.2} bond lengths from a bond"));
            }
            if !plus.is_empty() {
                survey.crowded.push(format!("{smiles}: quaternary ring atoms {plus:?} drawn as a +"));
            }
            if !planar {
                report.push_str(&format!("{formula}\t{smiles}\t{crossed} crossings\n"));
                *distribution.entry(crossed).or_default() += 1;
            }
            let cycle_rank = bonds.len() + 1 - m.atoms.len();
            if formula == "C10H8" && cycle_rank >= 4 {
                c10h8_cages.push((smiles.clone(), m.clone()));
            }
            hardest.push((crossed, cycle_rank, smiles, m));
        }
    }
    hardest.sort_by(|x, y| (y.0, y.1).cmp(&(x.0, x.1)).then_with(|| x.2.cmp(&y.2)));
    for (rank, (_, _, smiles, m)) in hardest.iter().take(8).enumerate() {
        std::fs::write(out.join(format!("hardest-{rank}.svg")), molecule_svg(m)).expect("svg");
        report.push_str(&format!("hardest-{rank}.svg\t{smiles}\n"));
    }
    // Typical cages: four C10H8 structures with at least four rings, evenly spread in SMILES order.
    let stride = (c10h8_cages.len() / 4).max(1);
    for (rank, (smiles, m)) in c10h8_cages.iter().step_by(stride).take(4).enumerate() {
        std::fs::write(out.join(format!("typical-c10h8-{rank}.svg")), molecule_svg(m)).expect("svg");
        report.push_str(&format!("typical-c10h8-{rank}.svg\t{smiles}\n"));
    }
    let counts: Vec<String> =
        distribution.iter().map(|(crossed, graphs)| format!("{graphs} with {crossed}")).collect();
    let summary = format!(
        "{} structures checked, {} planar, {} not planar, {} crowded\nnon-planar crossing counts: {}\n{}\n",
        survey.checked,
        survey.planar,
        survey.checked - survey.planar,
        survey.crowded.len(),
        counts.join(", "),
        survey.crowded.join("\n")
    );
    std::fs::write(out.join("report.txt"), format!("{summary}{report}")).expect("report");
    println!("{summary}{report}");
    survey
}

#[test]
fn hot_walk_planar_structures_draw_without_crossing_bonds() {
    let survey = survey();
    assert!(survey.checked > 1000, "only {} structures visited", survey.checked);
    assert!(survey.crossed_planar.is_empty(), "{}", survey.crossed_planar.join("\n"));
}

#[test]
fn hot_walk_structures_keep_atoms_off_bonds_and_no_plus_centres() {
    let survey = survey();
    assert!(survey.crowded.is_empty(), "{}", survey.crowded.join("\n"));
}
