//! `DistinctIsomers` puts two structures in one class exactly when RDKit's canonical
//! SMILES (chematic's port) names them alike: checked on every state of hot walks
//! over several formulas, rings, multiple bonds and heteroatoms included.

use std::collections::HashMap;

use kiln_engine::problems::isomer::{DistinctIsomers, Isomer, Molecule, Objective};
use kiln_engine::{AnnealConfig, Annealer, Batch, ScheduleKind};

fn hot_walk(formula: &str, steps: u64) -> Annealer<Isomer> {
    let config = AnnealConfig {
        seed: 7,
        schedule: ScheduleKind::Constant,
        initial_temp: 1_000.0,
        steps_per_cycle: steps,
        cycles: 1,
        batch: Batch::Fixed(1),
        ..AnnealConfig::default()
    };
    Annealer::new(Isomer::new(formula, Objective::default()).unwrap(), config).unwrap()
}

#[test]
fn classes_agree_with_canonical_smiles_on_hot_walks() {
    for formula in ["C8H18", "C6H12", "C5H8O2", "C6H6", "C4H9NO", "C7H7Cl"] {
        let mut sa = hot_walk(formula, 20_000);
        let problem = sa.problem().clone();
        let mut seen = DistinctIsomers::new();
        let mut name_of_class: HashMap<usize, String> = HashMap::new();
        let mut class_of_name: HashMap<String, usize> = HashMap::new();
        let mut check = |m: &Molecule| {
            let class = seen.class_of(m).expect("far below the cap");
            let name = problem.canonical_smiles(m);
            assert_eq!(name_of_class.entry(class).or_insert_with(|| name.clone()), &name, "{formula}");
            assert_eq!(*class_of_name.entry(name.clone()).or_insert(class), class, "{formula}: {name}");
        };
        check(sa.state());
        sa.run_observed(u64::MAX, &mut check);
        assert!(class_of_name.len() > 10, "{formula}: the walk moved ({} structures)", class_of_name.len());
        let mut listed: Vec<String> = seen.names().collect();
        let mut expected: Vec<String> = class_of_name.into_keys().collect();
        listed.sort();
        expected.sort();
        assert_eq!(listed, expected, "{formula}: names() lists each structure once");
    }
}

/// `m` as a petgraph graph: atoms weighted by element and hydrogens, bonds by order.
fn graph_of(m: &Molecule) -> petgraph::graph::UnGraph<(String, u8), u8> {
    let mut g = petgraph::graph::UnGraph::new_undirected();
    let nodes: Vec<_> = (0..m.atom_count())
        .map(|i| g.add_node((m.element(i).symbol().to_string(), m.hydrogens(i))))
        .collect();
    for (a, b, order) in m.bonds() {
        g.add_edge(nodes[a], nodes[b], order);
    }
    g
}

/// Phosphorus clusters: every atom has three bonds, so plain colour refinement gives
/// all atoms one colour and only the stronger colours (individualisation) separate
/// the structures. The oracle is petgraph's VF2 isomorphism test: two states are in
/// one class exactly when VF2 matches their graphs (elements, hydrogens and bond
/// orders). Only structures with single bonds alone are compared: with a double bond
/// in a ring, classes follow the canonical SMILES (aromaticity), not graph identity.
#[test]
fn classes_agree_with_vf2_on_regular_graphs() {
    for (formula, steps) in [("P12", 3_000), ("P16", 1_500)] {
        let mut sa = hot_walk(formula, steps);
        let mut seen = DistinctIsomers::new();
        // One petgraph representative per class, by class index.
        let mut representatives: HashMap<usize, petgraph::graph::UnGraph<(String, u8), u8>> = HashMap::new();
        let mut compared = 0;
        let mut check = |m: &Molecule| {
            let class = seen.class_of(m).expect("far below the cap");
            if m.bonds().any(|(_, _, order)| order > 1) {
                return;
            }
            compared += 1;
            let g = graph_of(m);
            for (&other, r) in &representatives {
                let same = petgraph::algo::is_isomorphic_matching(&g, r, |a, b| a == b, |a, b| a == b);
                assert_eq!(same, other == class, "{formula}: class {class} against class {other}");
            }
            representatives.entry(class).or_insert(g);
        };
        check(sa.state());
        sa.run_observed(u64::MAX, &mut check);
        assert!(
            representatives.len() > 10,
            "{formula}: the walk moved ({} structures)",
            representatives.len()
        );
        assert!(compared > 100, "{formula}: {compared} single-bonded states compared");
    }
}
