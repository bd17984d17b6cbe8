//! Drawing cost of the molecules a hot walk visits: CPU time per skeletal formula.
//!
//! A plain bench binary (`harness = false`). For each formula, a constant-temperature
//! walk (T = 1000, seed 1, batch 1) is sampled every `every` steps; every distinct
//! structure sampled is drawn once with `molecule_svg`, the drawing the live view
//! sends for the current and the best state. Prints the CPU seconds of all drawings,
//! the most any one took, and an FNV digest of the SVG bytes, so that a change meant
//! to be speed only can show it left every drawing as it was.
//!
//! Run: `cargo bench --bench draw` (default: P64, C30H62, C20H12, C10H8) or
//! `cargo bench --bench draw -- P64 C40H40`.

use std::collections::BTreeMap;
use std::time::Instant;

use kiln::render::molecule::{MoleculeDrawing, molecule_svg};
use kiln_engine::problems::isomer::{Isomer, Objective};
use kiln_engine::{AnnealConfig, Annealer, Batch, ScheduleKind};

#[path = "support/proc_stats.rs"]
mod proc_stats;

/// Distinct structures a hot walk of `formula` holds every `every` steps, `samples` times.
fn sampled(formula: &str, samples: u64, every: u64) -> Vec<MoleculeDrawing> {
    let config = AnnealConfig {
        seed: 1,
        schedule: ScheduleKind::Constant,
        initial_temp: 1000.0,
        steps_per_cycle: samples * every,
        cycles: 1,
        batch: Batch::Fixed(1),
        ..AnnealConfig::default()
    };
    let problem = Isomer::new(formula, Objective::default()).expect("formula");
    let mut annealer = Annealer::new(problem, config).expect("config");
    let mut seen = BTreeMap::new();
    for _ in 0..samples {
        annealer.run(every);
        let problem = annealer.problem().clone();
        seen.entry(problem.canonical_smiles(annealer.state()))
            .or_insert_with(|| MoleculeDrawing::from(annealer.state()));
    }
    seen.into_values().collect()
}

fn fnv(digest: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(digest, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let formulas: Vec<String> =
        if args.is_empty() { ["P64", "C30H62", "C20H12", "C10H8"].map(String::from).to_vec() } else { args };
    println!("formula structures | cpu s all | slowest wall s | svg digest");
    for formula in &formulas {
        let drawings = sampled(formula, 24, 2_000);
        let (cpu_before, _) = proc_stats::own_and_children_cpu_seconds();
        let mut digest = 0xcbf2_9ce4_8422_2325u64;
        let mut slowest = 0.0f64;
        for drawing in &drawings {
            let started = Instant::now();
            let svg = molecule_svg(drawing);
            slowest = slowest.max(started.elapsed().as_secs_f64());
            digest = fnv(digest, svg.as_bytes());
        }
        let (cpu_after, _) = proc_stats::own_and_children_cpu_seconds();
        println!(
            "{formula} {} | {:.2} | {:.3} | {digest:016x}",
            drawings.len(),
            cpu_after - cpu_before,
            slowest
        );
    }
}
