//! Drawing tests over named structures of every preset formula (and a few
//! more that exercise labels, sp atoms and bridged rings): the layout keeps
//! atoms apart and bonds uncrossed, and the SVG is small, deterministic and
//! well-formed.

use super::geometry::{Point, segments_cross};
use super::test_smiles::molecule;
use super::{layout, molecule_svg, valid_bonds};

/// Structures the presets' annealing runs visit, by formula, as Kekulé SMILES.
pub(super) const NAMED: &[(&str, &str)] = &[
    ("hexane", "CCCCCC"),
    ("2-methylpentane", "CC(C)CCC"),
    ("2,2-dimethylbutane", "CC(C)(C)CC"),
    ("2,3-dimethylbutane", "CC(C)C(C)C"),
    ("octane", "CCCCCCCC"),
    ("2,2,4-trimethylpentane", "CC(C)(C)CC(C)C"),
    ("2,2,3,3-tetramethylbutane", "CC(C)(C)C(C)(C)C"),
    ("3-ethyl-3-methylpentane", "CCC(C)(CC)CC"),
    ("ethylbenzene", "CCC1=CC=CC=C1"),
    ("o-xylene", "CC1=CC=CC=C1C"),
    ("m-xylene", "CC1=CC(C)=CC=C1"),
    ("p-xylene", "CC1=CC=C(C)C=C1"),
    ("octa-1,3,5,7-tetraene", "C=CC=CC=CC=C"),
    ("octa-1,7-diyne", "C#CCCCCC#C"),
    ("octa-2,4-diyne", "CC#CC#CCCC"),
    ("1,2-dimethylenecyclohexane", "C=C1CCCCC1=C"),
    ("decane", "CCCCCCCCCC"),
    ("2,2,3,3-tetramethylhexane", "CCCC(C)(C)C(C)(C)C"),
    ("3,3-diethylhexane", "CCCC(CC)(CC)CC"),
    ("limonene", "CC1=CCC(CC1)C(C)=C"),
    ("alpha-pinene", "CC1=CCC2CC1C2(C)C"),
    ("beta-pinene", "C=C1CCC2CC1C2(C)C"),
    ("camphene", "CC1(C)C2CCC(C2)C1=C"),
    ("3-carene", "CC1=CCC2C(C1)C2(C)C"),
    ("sabinene", "CC(C)C12CCC(=C)C1C2"),
    ("myrcene", "CC(C)=CCCC(=C)C=C"),
    ("alpha-terpinene", "CC(C)C1=CC=C(C)CC1"),
    ("spiro[4.5]dec-6-ene", "C1CCC2(C1)CCCC=C2"),
    ("bicyclo[2.2.2]oct-2-ene with ethyl", "CCC1C2CCC(CC2)C=C1"),
    ("decalin-1,5-diene", "C1=CC2CC=CCC2CC1"),
    ("naphthalene", "C1=CC=C2C=CC=CC2=C1"),
    ("azulene", "C1=CC2=CC=CC=CC2=C1"),
    ("but-3-en-1-ynylbenzene", "C=CC#CC1=CC=CC=C1"),
    ("ethanol", "CCO"),
    ("dimethyl ether", "COC"),
    ("acetone", "CC(C)=O"),
    ("propanal", "CCC=O"),
    ("oxetane", "C1COC1"),
    ("methyloxirane", "CC1CO1"),
    ("cyclopropanol", "OC1CC1"),
    ("allyl alcohol", "C=CCO"),
    ("methyl vinyl ether", "COC=C"),
    ("acetonitrile", "CC#N"),
    ("allene", "C=C=C"),
    ("ethylamine", "CCN"),
    ("aniline", "NC1=CC=CC=C1"),
    ("acetic acid", "CC(=O)O"),
    ("chloroform", "ClC(Cl)Cl"),
];

/// Cages: their graphs are planar, but not drawable with regular polygons and unit bonds; they are
/// drawn as polygons inside polygons, with stretched or squeezed bonds.
const CAGES: &[(&str, &str)] = &[
    ("adamantane", "C1C2CC3CC1CC(C2)C3"),
    ("twistane", "C1CC2CC3CC1CC2C3"),
    ("cubane-like C8H8", "C12C3C4C1C5C2C3C45"),
];

fn positions(smiles: &str) -> (Vec<Point>, Vec<super::DrawBond>) {
    let m = molecule(smiles);
    let bonds = valid_bonds(&m);
    (layout::layout(m.atoms.len(), &bonds).positions, bonds)
}

fn closest_pair(points: &[Point]) -> f64 {
    let mut closest = f64::INFINITY;
    for (i, p) in points.iter().enumerate() {
        for q in &points[i + 1..] {
            closest = closest.min(p.distance(*q));
        }
    }
    closest
}

fn crossing_bonds(points: &[Point], bonds: &[super::DrawBond]) -> Vec<(usize, usize)> {
    let mut crossings = Vec::new();
    for (i, x) in bonds.iter().enumerate() {
        for (j, y) in bonds.iter().enumerate().skip(i + 1) {
            if segments_cross(points[x.a], points[x.b], points[y.a], points[y.b]) {
                crossings.push((i, j));
            }
        }
    }
    crossings
}

#[test]
fn named_structures_have_no_crowded_atoms() {
    for (name, smiles) in NAMED {
        let (points, _) = positions(smiles);
        let closest = closest_pair(&points);
        assert!(closest > 0.6, "{name}: two atoms {closest:.2} bond lengths apart");
    }
}

#[test]
fn named_structures_have_no_crossing_bonds() {
    for (name, smiles) in NAMED {
        let (points, bonds) = positions(smiles);
        assert_eq!(crossing_bonds(&points, &bonds), [], "{name}: crossing bonds");
    }
}

// A bridge flattened to keep clear of the ring it spans (bicyclo[2.2.2]) may shorten its bonds to about 0.7.
#[test]
fn named_structures_have_bonds_of_about_one_length() {
    for (name, smiles) in NAMED {
        let (points, bonds) = positions(smiles);
        for bond in &bonds {
            let length = points[bond.a].distance(points[bond.b]);
            assert!((0.65..=1.3).contains(&length), "{name}: bond {bond:?} has length {length:.2}");
        }
    }
}

#[test]
fn cages_draw_without_crossings_and_with_atoms_apart() {
    for (name, smiles) in CAGES {
        let (points, bonds) = positions(smiles);
        assert!(points.iter().all(|p| p.x.is_finite() && p.y.is_finite()), "{name}");
        assert!(closest_pair(&points) > 0.5, "{name}: atoms nearly coincide");
        assert_eq!(crossing_bonds(&points, &bonds), [], "{name}: crossing bonds");
    }
}

#[test]
fn sp_atoms_are_linear() {
    for smiles in ["CC#N", "C#CCCCCC#C", "CC#CC#CCCC", "C=C=C", "C=CC#CC1=CC=CC=C1"] {
        let m = molecule(smiles);
        let bonds = valid_bonds(&m);
        let points = layout::layout(m.atoms.len(), &bonds).positions;
        for atom in 0..m.atoms.len() {
            let around: Vec<&super::DrawBond> = bonds.iter().filter(|b| b.a == atom || b.b == atom).collect();
            let linear = around.len() == 2
                && (around.iter().any(|b| b.order == 3) || around.iter().all(|b| b.order == 2));
            if linear {
                let ends: Vec<Point> = around
                    .iter()
                    .map(|b| points[if b.a == atom { b.b } else { b.a }] - points[atom])
                    .collect();
                let cosine = ends[0].unit().dot(ends[1].unit());
                assert!(cosine < -0.999, "{smiles}: atom {atom} bends (cos {cosine:.3})");
            }
        }
    }
}

#[test]
fn rings_are_regular_polygons() {
    for (smiles, size) in [("C1=CC=CC=C1", 6), ("C1CCCC1", 5), ("C1CC1", 3), ("C1CCCCCC1", 7)] {
        let (points, bonds) = positions(smiles);
        let centre = points.iter().fold(Point::default(), |s, &p| s + p) * (1.0 / size as f64);
        let radius = 1.0 / (2.0 * (std::f64::consts::PI / size as f64).sin());
        for p in &points {
            assert!((p.distance(centre) - radius).abs() < 1e-6, "{smiles}: not on the circumcircle");
        }
        for bond in &bonds {
            assert!((points[bond.a].distance(points[bond.b]) - 1.0).abs() < 1e-6, "{smiles}");
        }
    }
}

#[test]
fn chains_zig_zag_at_120_degrees() {
    let (points, _) = positions("CCCCCCCC");
    for i in 1..7 {
        let (back, on) = (points[i - 1] - points[i], points[i + 1] - points[i]);
        assert!((back.unit().dot(on.unit()) + 0.5).abs() < 1e-6, "atom {i}");
    }
    // Zig-zag, not a ring: every other atom on the same side, and the chain drawn flat.
    assert!((points[0].y - points[2].y).abs() < 1e-6 && (points[1].y - points[3].y).abs() < 1e-6);
}

#[test]
fn fused_rings_share_an_edge() {
    let (points, _) = positions("C1=CC=C2C=CC=CC2=C1");
    // Naphthalene's fusion atoms (3 and 8) are one bond apart; the two ring centres mirror across that bond.
    assert!((points[3].distance(points[8]) - 1.0).abs() < 1e-6);
    let centre = |atoms: [usize; 6]| atoms.iter().fold(Point::default(), |s, &a| s + points[a]) * (1.0 / 6.0);
    let (first, second) = (centre([0, 1, 2, 3, 8, 9]), centre([3, 4, 5, 6, 7, 8]));
    assert!((first.distance(second) - 3f64.sqrt()).abs() < 1e-6);
}

#[test]
fn carbon_skeleton_is_unlabelled_and_heteroatoms_carry_their_hydrogens() {
    let hexane = molecule_svg(&molecule("CCCCCC"));
    assert!(!hexane.contains("<text"), "{hexane}");
    let ethanol = molecule_svg(&molecule("CCO"));
    assert!(ethanol.contains(">O</text>") && ethanol.contains(">H</text>"), "{ethanol}");
    let methane = molecule_svg(&molecule("C"));
    assert!(methane.contains(">C</text>") && methane.contains(">4</text>"), "{methane}");
    let ethylamine = molecule_svg(&molecule("CCN"));
    assert!(ethylamine.contains(">2</text>"), "NH2's count is a subscript: {ethylamine}");
}

#[test]
fn hydrogens_go_to_the_side_away_from_the_bond() {
    let m = molecule("NC1=CC=CC=C1");
    let bonds = valid_bonds(&m);
    let points = layout::layout(m.atoms.len(), &bonds).positions;
    let svg = molecule_svg(&m);
    let h = svg.find(">H</text>").unwrap();
    let n = svg.find(">N</text>").unwrap();
    let bond_from_right = points[1].x > points[0].x;
    // Text elements are written symbol first, then "H": the H's x is left of N's when the bond comes from the right.
    let x_of = |at: usize| -> f64 {
        let start = svg[..at].rfind("x=\"").unwrap() + 3;
        svg[start..].split('"').next().unwrap().parse().unwrap()
    };
    assert!(n < h);
    assert_eq!(x_of(h) < x_of(n), bond_from_right, "{svg}");
}

#[test]
fn same_molecule_gives_same_bytes() {
    for (_, smiles) in NAMED.iter().chain(CAGES) {
        assert_eq!(molecule_svg(&molecule(smiles)), molecule_svg(&molecule(smiles)));
    }
}

#[test]
fn svg_has_a_view_box_no_pixel_size_and_no_script() {
    for (name, smiles) in NAMED.iter().chain(CAGES) {
        let svg = molecule_svg(&molecule(smiles));
        let root = &svg[..svg.find('>').unwrap()];
        assert!(root.starts_with("<svg") && root.contains("viewBox=\""), "{name}: {root}");
        assert!(!root.contains(" width=") && !root.contains(" height="), "{name}: {root}");
        assert!(!svg.contains("<script") && !svg.contains("NaN") && !svg.contains("inf"), "{name}");
        assert!(svg.trim_end().ends_with("</svg>"), "{name}");
    }
}

#[test]
fn ten_carbon_molecules_stay_under_8_kb() {
    for (name, smiles) in NAMED.iter().chain(CAGES) {
        let svg = molecule_svg(&molecule(smiles));
        assert!(svg.len() < 8 * 1024, "{name}: {} bytes", svg.len());
    }
}

#[test]
fn malformed_bonds_are_ignored_without_panicking() {
    let mut m = molecule("CCO");
    m.bonds.push(super::DrawBond { a: 0, b: 7, order: 1 });
    m.bonds.push(super::DrawBond { a: 1, b: 1, order: 2 });
    m.bonds.push(super::DrawBond { a: 1, b: 0, order: 9 });
    assert_eq!(molecule_svg(&m), molecule_svg(&molecule("CCO")));
    let empty = molecule_svg(&super::MoleculeDrawing::default());
    assert!(empty.contains("viewBox"));
}

/// Distinct structures (by canonical SMILES) a hot isomer walk of `formula` visits, at most `limit`.
fn walk_structures(formula: &str, steps: u64, limit: usize) -> Vec<(String, super::MoleculeDrawing)> {
    use kiln_engine::problems::isomer::{Isomer, Objective};
    use kiln_engine::{AnnealConfig, Annealer, Batch, ScheduleKind};
    let config = AnnealConfig {
        schedule: ScheduleKind::Constant,
        initial_temp: 1000.0,
        steps_per_cycle: steps,
        cycles: 1,
        batch: Batch::Fixed(1),
        ..AnnealConfig::default()
    };
    let mut sa = Annealer::new(Isomer::new(formula, Objective::default()).unwrap(), config).unwrap();
    let problem = sa.problem().clone();
    let mut seen = std::collections::BTreeMap::new();
    seen.insert(problem.canonical_smiles(sa.state()), super::MoleculeDrawing::from(sa.state()));
    sa.run_observed(steps, &mut |m| {
        if seen.len() < limit {
            seen.entry(problem.canonical_smiles(m)).or_insert_with(|| super::MoleculeDrawing::from(m));
        }
    });
    seen.into_iter().collect()
}

/// Every preset formula's hot walk: each structure drawn with finite, separate atoms, under 8 KB, the same
/// bytes twice; chains and single rings (cycle rank at most one) also without crossings or crowding.
/// Polycyclic cages may need a crossing (adamantane does); they must still draw, legibly apart.
#[test]
fn isomers_visited_by_preset_walks_draw_cleanly() {
    let presets = ["C6H14", "C8H18", "C8H10", "C10H22", "C10H16", "C10H8", "C2H6O", "C3H6O"];
    for formula in presets {
        for (smiles, m) in walk_structures(formula, 20_000, 120) {
            let bonds = valid_bonds(&m);
            let points = layout::layout(m.atoms.len(), &bonds).positions;
            assert!(points.iter().all(|p| p.x.is_finite() && p.y.is_finite()), "{smiles}");
            let closest = closest_pair(&points);
            assert!(closest > 0.3, "{smiles}: atoms {closest:.2} apart");
            let cycle_rank = bonds.len() + 1 - m.atoms.len();
            if cycle_rank <= 1 {
                assert!(closest > 0.6, "{smiles}: atoms {closest:.2} apart");
                assert_eq!(crossing_bonds(&points, &bonds), [], "{smiles}");
            }
            let svg = molecule_svg(&m);
            assert!(svg.len() < 8 * 1024, "{smiles}: {} bytes", svg.len());
            assert_eq!(svg, molecule_svg(&m), "{smiles}");
        }
    }
}
