//! Golden replay records: runs recorded once and pinned in git under `tests/golden/`,
//! which every later build, on any platform, must reproduce checkpoint for checkpoint.
//!
//! Each record is in the server's JSON shape (`format`, `problem`, `config`,
//! `checkpoint_every`, `checkpoints`), so `kiln replay tests/golden/NAME.json` reads
//! the same files. The problem specs are read here with a small mirror of the
//! server's `ProblemSpec` (the engine does not know the server). A failure means the
//! trajectory or the state digest changed: that breaks every record users hold, so it
//! needs a new record format, not new golden files.
//!
//! To write the files again (only together with a format change), run this test with
//! `KILN_BLESS_GOLDEN=1`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use kiln_engine::digest::Digest;
use kiln_engine::problems::isomer::{Isomer, Objective};
use kiln_engine::problems::tsp::{LargeSteps, MoveSet, Tsp};
use kiln_engine::replay::{RECORD_FORMAT, first_divergence, record_checkpoints};
use kiln_engine::{
    AnnealConfig, Annealer, Batch, Checkpoint, Ladder, Problem, ReplayRecord, ScheduleKind, Tempering,
    TemperingConfig,
};
use serde::{Deserialize, Serialize};

/// The two shapes of the server's `ProblemSpec` the golden records use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "lowercase", deny_unknown_fields)]
enum Spec {
    Tsp {
        cities: Cities,
        /// `"large"` for large steps; absent for local moves, as before it existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        moves: Option<String>,
        /// The large steps' move set; absent for the first, as before it existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        moves_version: Option<u32>,
    },
    Isomer {
        formula: String,
        component_weights: BTreeMap<String, f64>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
enum Cities {
    Bundled { instance: String },
}

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/golden").join(name)
}

/// Run `spec` under `config`, checkpointing every `every` steps.
fn run(spec: &Spec, config: AnnealConfig, every: u64) -> Vec<Checkpoint> {
    match spec {
        Spec::Tsp { cities: Cities::Bundled { instance }, moves, moves_version } => {
            let tsp = Tsp::bundled(instance).unwrap();
            match moves.as_deref() {
                None => checkpoints(tsp, config, every),
                Some("large") => {
                    let version = MoveSet::from_number(moves_version.unwrap_or(1)).unwrap();
                    checkpoints(LargeSteps::with_moves(tsp, version).unwrap(), config, every)
                }
                Some(other) => panic!("unknown moves {other:?}"),
            }
        }
        Spec::Isomer { formula, component_weights } => {
            let weights: Vec<(String, f64)> =
                component_weights.iter().map(|(k, v)| (k.clone(), *v)).collect();
            let problem = Isomer::new(formula, Objective::from_weights(&weights).unwrap()).unwrap();
            checkpoints(problem, config, every)
        }
    }
}

/// The checkpoints of an annealing run, or of a tempering run when the config asks
/// for one (step 0, every `every` steps, the last step: as `kiln run --record`).
fn checkpoints<P: Problem + Clone>(problem: P, config: AnnealConfig, every: u64) -> Vec<Checkpoint> {
    if config.tempering.is_none() {
        return record_checkpoints(&mut Annealer::new(problem, config).unwrap(), every, |_| {});
    }
    let mut pt = Tempering::new(problem, config).unwrap();
    let mut out = vec![pt.checkpoint()];
    while !pt.is_complete() {
        pt.run(every - pt.steps_done() % every);
        out.push(pt.checkpoint());
    }
    out
}

/// The golden runs: what they are made from when blessed.
fn golden_runs() -> Vec<(&'static str, Spec, AnnealConfig, u64)> {
    vec![
        (
            "berlin52_auto.json",
            Spec::Tsp {
                cities: Cities::Bundled { instance: "berlin52".into() },
                moves: None,
                moves_version: None,
            },
            AnnealConfig {
                seed: 42,
                schedule: ScheduleKind::Auto,
                steps_per_cycle: 150_000,
                cycles: 2,
                ..AnnealConfig::default()
            },
            10_000,
        ),
        (
            "ch150_large.json",
            Spec::Tsp {
                cities: Cities::Bundled { instance: "ch150".into() },
                moves: Some("large".into()),
                moves_version: None,
            },
            AnnealConfig {
                seed: 42,
                schedule: ScheduleKind::Auto,
                steps_per_cycle: 40_000,
                cycles: 1,
                ..AnnealConfig::default()
            },
            2_000,
        ),
        (
            "c7h16_faulon.json",
            Spec::Isomer {
                formula: "C7H16".into(),
                component_weights: BTreeMap::from([("wiener_index".to_string(), 1.0)]),
            },
            AnnealConfig { seed: 42, steps_per_cycle: 2_500, cycles: 4, ..AnnealConfig::default() },
            500,
        ),
        (
            "c7h16_tempering.json",
            Spec::Isomer {
                formula: "C7H16".into(),
                component_weights: BTreeMap::from([("wiener_index".to_string(), 1.0)]),
            },
            AnnealConfig {
                seed: 42,
                steps_per_cycle: 2_500,
                cycles: 4,
                tempering: Some(TemperingConfig {
                    replicas: 4,
                    exchange_interval: 250,
                    ladder: Ladder::Geometric,
                }),
                ..AnnealConfig::default()
            },
            500,
        ),
    ]
}

fn read(name: &str) -> ReplayRecord<Spec> {
    let text = std::fs::read_to_string(golden_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    ReplayRecord::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn golden_records_replay_checkpoint_for_checkpoint() {
    let bless = std::env::var_os("KILN_BLESS_GOLDEN").is_some();
    for (name, spec, config, every) in golden_runs() {
        if bless {
            let record =
                ReplayRecord::new(spec.clone(), config.clone(), every, run(&spec, config.clone(), every));
            let text = serde_json::to_string_pretty(&record).unwrap() + "\n";
            std::fs::write(golden_path(name), text).unwrap();
        }
        let record = read(name);
        assert_eq!(record.format, RECORD_FORMAT);
        assert!(record.checkpoints.len() > 10, "{name}: a record worth the name");
        // The record's own config, then other batch sizes and thread counts: all the same.
        for (batch, threads) in
            [(record.config.batch, record.config.threads), (Batch::Fixed(1), 1), (Batch::Fixed(8), 2)]
        {
            let config = AnnealConfig { batch, threads, ..record.config.clone() };
            let replayed = run(&record.problem, config, record.checkpoint_every);
            if let Some(divergence) = first_divergence(&record.checkpoints, &replayed) {
                panic!("{name} with batch {batch:?} on {threads} threads: {divergence}");
            }
        }
    }
}

/// FNV-1a 64 as its authors publish it, written out again here so the digest tests
/// do not check the engine's code against itself.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[test]
fn a_tour_digest_is_fnv1a_of_its_documented_bytes() {
    // The bytes as replay.rs documents them: the city count as a u64, then each city
    // as a u32, little-endian.
    let tsp = Tsp::bundled("berlin52").unwrap();
    let tour = tsp.initial_state();
    let mut bytes = (tour.order().len() as u64).to_le_bytes().to_vec();
    for &city in tour.order() {
        bytes.extend_from_slice(&city.to_le_bytes());
    }
    assert_eq!(Digest::of(&tour), fnv1a(&bytes));
}

#[test]
fn a_molecule_digest_is_fnv1a_of_its_documented_bytes() {
    // Atom count; per atom the symbol as 2 ASCII bytes (zero-padded) and hydrogens;
    // the bond count as a little-endian u32; per bond i, j, order. N and O make the
    // symbols and hydrogens differ from carbon's.
    let problem = Isomer::new("C3H7NO", Objective::default()).unwrap();
    let m = problem.initial_state();
    let mut bytes = vec![m.atom_count() as u8];
    for atom in 0..m.atom_count() {
        let symbol = m.element(atom).symbol().as_bytes();
        bytes.extend_from_slice(&[symbol[0], symbol.get(1).copied().unwrap_or(0), m.hydrogens(atom)]);
    }
    let bonds: Vec<_> = m.bonds().collect();
    bytes.extend_from_slice(&(bonds.len() as u32).to_le_bytes());
    for (i, j, order) in bonds {
        bytes.extend_from_slice(&[i as u8, j as u8, order]);
    }
    assert_eq!(Digest::of(&m), fnv1a(&bytes), "{m:?}");
}
