//! Drawings as a function of the structure: every distinct isomer of C6H6, C8H8,
//! C10H8 and C10H16 that a hot walk visits (a few thousand structures) is drawn
//! from the walk's numbering and from a renumbering, and the two SVGs must be the
//! same bytes; planar graphs (decided by [`super::planar`], checked against brute
//! force in its own tests) must be drawn without crossing bonds.
//!
//! The survey also writes `target/drawing-crossings.tsv`: per structure, Kiln's
//! SMILES, whether it is planar, and the canonical drawing's atom coordinates and
//! bonds, with the crossing count of the layout drawn from the walk's own
//! numbering (what Kiln drew before drawings were canonical). The RDKit oracle
//! (`tests/oracles/drawing_rdkit.py`) counts the crossings of Kiln's coordinates
//! and of RDKit's `Compute2DCoords`, with one function for both.

use std::collections::BTreeMap;
use std::fmt::Write;

use kiln_engine::problems::isomer::smiles::write_smiles;
use kiln_engine::problems::isomer::{Isomer, Objective};
use kiln_engine::{AnnealConfig, Annealer, Batch, ScheduleKind};

use super::geometry::{Point, segments_cross};
use super::rings::neighbour_lists;
use super::{
    DrawAtom, DrawBond, MoleculeDrawing, canonical_form, fewest_crossings_layout, layout, molecule_svg,
    planar, valid_bonds,
};

/// Every distinct structure (by canonical SMILES) a hot walk of `formula` visits, with Kiln's own
/// (non-canonical) SMILES of the walk's numbering.
fn visited(formula: &str, steps: u64) -> BTreeMap<String, (String, MoleculeDrawing)> {
    let config = AnnealConfig {
        seed: 7,
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
    let mut seen = BTreeMap::new();
    let mut keep = |m: &kiln_engine::problems::isomer::Molecule| {
        seen.entry(problem.canonical_smiles(m))
            .or_insert_with(|| (write_smiles(m), MoleculeDrawing::from(m)));
    };
    keep(annealer.state());
    annealer.run_observed(steps, &mut |m| keep(m));
    seen
}

/// `m` with atom `i` renumbered to `(n - 1 - i + n / 2) mod n`: reversed and turned half way.
fn renumbered(m: &MoleculeDrawing) -> MoleculeDrawing {
    let n = m.atoms.len();
    let to = |i: usize| (n - 1 - i + n / 2) % n;
    let mut atoms = vec![DrawAtom { symbol: "C", hydrogens: 0 }; n];
    m.atoms.iter().enumerate().for_each(|(i, &a)| atoms[to(i)] = a);
    let bonds = m.bonds.iter().rev().map(|b| DrawBond { a: to(b.b), b: to(b.a), order: b.order }).collect();
    MoleculeDrawing { atoms, bonds }
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

#[test]
fn hot_walk_isomers_draw_the_same_from_any_numbering_and_planar_ones_uncrossed() {
    let mut table = String::from("formula\tsmiles\tplanar\twalk_numbering_crossings\tcoordinates\tbonds\n");
    let (mut checked, mut planar_count, mut differing, mut crossed_planar) = (0, 0, Vec::new(), Vec::new());
    let mut worse = Vec::new();
    let (mut canonical_total, mut walk_total) = (0, 0);
    for (formula, steps) in [("C6H6", 3_000), ("C8H8", 3_000), ("C10H8", 3_000), ("C10H16", 3_000)] {
        for (canonical_smiles, (smiles, m)) in visited(formula, steps) {
            checked += 1;
            if molecule_svg(&m) != molecule_svg(&renumbered(&m)) {
                differing.push(canonical_smiles.clone());
            }
            let canonical = canonical_form(&m);
            let bonds = valid_bonds(&canonical);
            let points = fewest_crossings_layout(canonical.atoms.len(), &bonds).positions;
            let planar = planar::embed(&neighbour_lists(canonical.atoms.len(), &bonds)).is_some();
            let crossed = crossings(&points, &bonds);
            let walk_bonds = valid_bonds(&m);
            let walk_crossed = crossings(&layout::layout(m.atoms.len(), &walk_bonds).positions, &walk_bonds);
            planar_count += usize::from(planar);
            if planar && crossed > 0 {
                crossed_planar.push(format!("{canonical_smiles}: planar, drawn with {crossed} crossings"));
            }
            if crossed > walk_crossed {
                worse.push(format!(
                    "{canonical_smiles}: {crossed} crossings, {walk_crossed} from the walk's numbering"
                ));
            }
            if !planar {
                canonical_total += crossed;
                walk_total += walk_crossed;
            }
            let coordinates: Vec<String> = points.iter().map(|p| format!("{:.4},{:.4}", p.x, p.y)).collect();
            let mut bond_list = String::new();
            for bond in &bonds {
                let _ = write!(bond_list, "{}-{} ", bond.a, bond.b);
            }
            let _ = writeln!(
                table,
                "{formula}\t{smiles}\t{planar}\t{walk_crossed}\t{}\t{}",
                coordinates.join(" "),
                bond_list.trim_end()
            );
        }
    }
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&out).expect("target");
    std::fs::write(out.join("drawing-crossings.tsv"), &table).expect("tsv");
    println!(
        "{checked} structures, {planar_count} planar; non-planar crossings: {canonical_total} canonical, \
         {walk_total} from the walk's numbering"
    );
    assert!(checked > 1000, "only {checked} structures visited");
    assert!(differing.is_empty(), "drawn differently from two numberings:\n{}", differing.join("\n"));
    assert!(crossed_planar.is_empty(), "{}", crossed_planar.join("\n"));
    assert!(worse.is_empty(), "more crossings than drawn from the walk's numbering:\n{}", worse.join("\n"));
}
