//! Emit structures of Kiln's isomer walks for the RDKit oracle (`tests/oracles`).
//!
//! Hot walks over a spread of formulas (alkanes, alkenes, aromatics, alcohols,
//! ethers, amines, halides, sulfur and phosphorus compounds) collect distinct
//! structures; each is printed as one tab-separated line:
//! `formula  smiles  canonical_smiles  logp`, where `smiles` is Kiln's own
//! (non-canonical, Kekule) SMILES, `canonical_smiles` the canonical form Kiln
//! reports and `logp` Kiln's Crippen logP.
//!
//! Usage: `cargo run --release -p kiln-engine --example isomer_oracle [PER_FORMULA]`

use std::collections::HashSet;

use kiln_engine::problems::isomer::smiles::write_smiles;
use kiln_engine::problems::isomer::{Component, Isomer, Molecule, Objective};
use kiln_engine::{AnnealConfig, Annealer, Batch, ScheduleKind};

const FORMULAS: [&str; 28] = [
    "C6H14", "C8H18", "C10H22", "C4H8", "C6H12", "C8H10", "C10H16", "C10H8", "C7H8", "C6H6", "C2H6O",
    "C3H6O", "C4H10O", "C4H8O2", "C3H9N", "C5H5N", "C4H4O", "C4H4S", "C2H5Cl", "C3H6Cl2", "C4H9Br", "C2H3F3",
    "C3H9P", "C2H4O2S", "C2H7NO", "CH3NO", "C2H6OS", "C3H4O",
];

fn main() {
    let per_formula: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(40);
    println!("formula\tsmiles\tcanonical_smiles\tlogp");
    for formula in FORMULAS {
        let problem = Isomer::new(formula, Objective::default()).expect("a valid formula");
        let config = AnnealConfig {
            seed: 1,
            schedule: ScheduleKind::Constant,
            initial_temp: 1_000.0,
            steps_per_cycle: 200_000,
            cycles: 1,
            batch: Batch::Fixed(1),
            ..AnnealConfig::default()
        };
        let mut sa = Annealer::new(problem.clone(), config).expect("a valid config");
        let mut seen = HashSet::new();
        let mut picked: Vec<Molecule> = vec![sa.state().clone()];
        seen.insert(problem.canonical_smiles(sa.state()));
        while picked.len() < per_formula && !sa.is_complete() {
            sa.run_observed(100, &mut |m| {
                if picked.len() < per_formula && seen.insert(problem.canonical_smiles(m)) {
                    picked.push(m.clone());
                }
            });
        }
        for m in &picked {
            let logp = problem
                .component_values(m)
                .into_iter()
                .find(|(c, _)| *c == Component::LogP)
                .map_or(f64::NAN, |(_, v)| v);
            println!(
                "{}\t{}\t{}\t{logp:.6}",
                problem.formula(),
                write_smiles(m),
                problem.canonical_smiles(m)
            );
        }
    }
}
