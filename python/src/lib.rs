//! `kiln._native`: the Rust side of the Python package `kiln`.
//!
//! Two calls, both releasing the GIL while they anneal:
//! * [`sample_ising`]: `num_reads` independent anneals of one Ising model (dimod's
//!   convention, `E = sum h s + sum J s s`), in parallel over reads on a rayon pool of
//!   `threads` threads. Read `r` is seeded by a pure function of `(seed, r)` and runs
//!   on one thread, so the samples are identical for any thread count. Each read is
//!   neal's schedule shape: sequential sweeps, geometric in temperature between the
//!   `beta_range` given, or by default Kiln's own range for the model (the one `kiln
//!   run` uses for a graph; `default_range="neal"` takes neal's), and returns the best
//!   state the read visited.
//! * [`run_json`]: any Kiln problem by its parameters (JSON in, JSON out), the same
//!   result as `kiln run --json`.
//!
//! The Python wrapper (`kiln/__init__.py`, `kiln/sampler.py`) turns these into
//! `kiln.sample_ising`, `kiln.KilnSampler` (a dimod sampler) and `kiln.run`.

use std::time::Instant;

use kiln::kinds::{Registry, Request, Scope};
use kiln_engine::problems::magnet::format::{Model, Vartype};
use kiln_engine::problems::magnet::{Magnet, Sites};
use kiln_engine::{AnnealConfig, Annealer, Batch, ScheduleKind};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rayon::prelude::*;
use serde_json::{Map, Value};

/// The seed of read `r`: SplitMix64 of the two, so neighbouring reads are unrelated.
fn read_seed(seed: u64, r: u64) -> u64 {
    let mut z = seed ^ r.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Where the default temperatures come from when no `beta_range` is given.
#[derive(Clone, Copy)]
enum DefaultRange {
    /// Kiln's own: from the root-mean-square local field of a random state (at least
    /// 3) down to a fifth of the smallest coupling, as `kiln run` anneals a graph.
    Kiln,
    /// neal's (dwave-samplers' `_default_ising_beta_range`).
    Neal,
}

/// neal's default inverse temperatures for a model (dwave-samplers'
/// `_default_ising_beta_range`): hot, every spin flips with probability at least 1/2
/// (`ln 2 / (2 max_i sum |bias|)`); cold, the smallest gap is excited with
/// probability 1/100 in all (`ln(count / 0.01) / (2 min |bias|)`).
fn neal_beta_range(model: &Model) -> (f64, f64) {
    let n = model.len();
    let mut sum = vec![0f64; n];
    let mut least = vec![f64::INFINITY; n];
    for (i, h) in model.linear.iter().enumerate() {
        sum[i] += h.abs();
        if *h != 0.0 {
            least[i] = h.abs();
        }
    }
    for &(i, j, b) in &model.quadratic {
        for k in [i as usize, j as usize] {
            sum[k] += b.abs();
            if b != 0.0 {
                least[k] = least[k].min(b.abs());
            }
        }
    }
    let max_field = sum.iter().copied().fold(0.0, f64::max);
    let min_gap = least.iter().copied().fold(f64::INFINITY, f64::min);
    if !min_gap.is_finite() || max_field == 0.0 {
        return (0.1, 1.0); // every bias zero: neal's arbitrary range
    }
    let count = least.iter().filter(|&&g| g == min_gap).count() as f64;
    let hot = std::f64::consts::LN_2 / (2.0 * max_field);
    let cold = (count / 0.01).ln() / (2.0 * min_gap);
    (hot, cold.max(hot))
}

/// One read: anneal from the instance's start with `config`, return the best state's
/// model spins and its model energy.
fn one_read(magnet: &Magnet, config: AnnealConfig, n: usize) -> Result<(Vec<i8>, f64), String> {
    let mut sa = Annealer::new(magnet.clone(), config).map_err(|e| format!("{}: {}", e.field, e.message))?;
    sa.run(u64::MAX);
    let spins = magnet.user_spins(sa.best_state().spins());
    Ok((spins[..n].to_vec(), magnet.model_energy(sa.best_energy())))
}

/// What [`sample_ising`] returns: the samples' bytes, each read's energy, and
/// `(energy_scale, exact, (hot beta, cold beta))`.
type Samples<'py> = (Bound<'py, PyBytes>, Vec<f64>, (f64, bool, (f64, f64)));

/// Sample an Ising model (a QUBO with `binary`): `linear[i]` = h_i, interactions
/// `(heads[k], tails[k])` with bias `biases[k]`. Returns the samples as
/// `num_reads * n` bytes (each spin as a signed byte, -1 or +1, read by read; a QUBO's
/// bit is `(1 + s) / 2`), the model energy of each read (without the model's offset)
/// and the info: `(energy_scale, exact, beta_range)`.
#[pyfunction]
#[pyo3(signature = (linear, heads, tails, biases, num_reads=1, num_sweeps=1000, seed=0, beta_range=None, threads=0, default_range="kiln", binary=false))]
#[allow(clippy::too_many_arguments)]
fn sample_ising<'py>(
    py: Python<'py>,
    linear: Vec<f64>,
    heads: Vec<u32>,
    tails: Vec<u32>,
    biases: Vec<f64>,
    num_reads: usize,
    num_sweeps: u64,
    seed: u64,
    beta_range: Option<(f64, f64)>,
    threads: usize,
    default_range: &str,
    binary: bool,
) -> PyResult<Samples<'py>> {
    let n = linear.len();
    let default_range = match default_range {
        "kiln" => DefaultRange::Kiln,
        "neal" => DefaultRange::Neal,
        other => {
            return Err(PyValueError::new_err(format!(
                "beta_range: the default is \"kiln\" or \"neal\", not {other:?}"
            )));
        }
    };
    if heads.len() != biases.len() || tails.len() != biases.len() {
        return Err(PyValueError::new_err("heads, tails and biases must have the same length"));
    }
    if num_sweeps == 0 {
        return Err(PyValueError::new_err("num_sweeps: must be at least 1, not 0"));
    }
    if let Some((hot, cold)) = beta_range
        && !(hot > 0.0 && cold > 0.0 && hot.is_finite() && cold.is_finite())
    {
        return Err(PyValueError::new_err(format!(
            "beta_range: must be two positive numbers, not ({hot}, {cold})"
        )));
    }
    if n == 0 || num_reads == 0 {
        return Ok((
            PyBytes::new(py, &[]),
            vec![0.0; if n == 0 { num_reads } else { 0 }],
            (1.0, true, (0.1, 1.0)),
        ));
    }
    let mut quadratic = Vec::with_capacity(biases.len());
    for ((&i, &j), &b) in heads.iter().zip(&tails).zip(&biases) {
        if i as usize >= n || j as usize >= n || i == j {
            return Err(PyValueError::new_err(format!(
                "interaction ({i}, {j}): not two distinct indices below {n}"
            )));
        }
        quadratic.push((i.min(j), i.max(j), b));
    }
    // The engine needs two spins at least: a lone variable gets an idle partner.
    let mut padded = linear.clone();
    if n == 1 {
        padded.push(0.0);
    }
    let vartype = if binary { Vartype::Binary } else { Vartype::Spin };
    let model = Model { vartype, linear: padded, quadratic, offset: 0.0, labels: None };
    let magnet = Magnet::from_model(&model)
        .map_err(|e| PyValueError::new_err(e.to_string()))?
        .with_sites(Sites::Sequential);
    let scale = magnet.energy_scale();
    let (hot, cold) = match (beta_range, default_range) {
        (Some(range), _) => range,
        (None, DefaultRange::Neal) => neal_beta_range(&model),
        (None, DefaultRange::Kiln) => {
            // Kiln's own range for graphs (Magnet::default_config), in engine units.
            let c = magnet.default_config(0);
            (scale / c.initial_temp, scale / c.final_temp.unwrap_or(c.initial_temp / 1000.0))
        }
    };
    let exact = magnet.is_exact();
    // Temperatures in the engine's scaled units; a cold end at or above the hot one
    // is held just below it (geometric cooling needs T1 < T0).
    let t0 = scale / hot;
    let t1 = (scale / cold).min(t0 * 0.999);
    let steps = num_sweeps
        .checked_mul(magnet.len() as u64)
        .filter(|s| *s <= kiln::kinds::common::MAX_SESSION_STEPS)
        .ok_or_else(|| {
            PyValueError::new_err(format!("num_sweeps: {num_sweeps} sweeps of {n} spins is too many steps"))
        })?;
    let config = |r: usize| AnnealConfig {
        seed: read_seed(seed, r as u64),
        schedule: ScheduleKind::Geometric,
        initial_temp: t0,
        final_temp: Some(t1),
        steps_per_cycle: steps,
        cycles: 1,
        batch: Batch::Fixed(1),
        threads: 1,
        ..AnnealConfig::default()
    };
    let reads: Result<Vec<(Vec<i8>, f64)>, String> = py.detach(|| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().map_err(|e| e.to_string())?;
        pool.install(|| (0..num_reads).into_par_iter().map(|r| one_read(&magnet, config(r), n)).collect())
    });
    let reads = reads.map_err(PyValueError::new_err)?;
    let mut bytes = Vec::with_capacity(num_reads * n);
    let mut energies = Vec::with_capacity(num_reads);
    for (spins, energy) in reads {
        bytes.extend(spins.iter().map(|&s| s as u8));
        energies.push(energy);
    }
    Ok((PyBytes::new(py, &bytes), energies, (scale, exact, (hot, cold))))
}

/// Run any Kiln problem: `params_json` is the flat parameter object (as the HTTP API
/// and `kiln run --param` take it), plus `steps` (total over the cycles) and
/// `threads`; returns the JSON result of `kiln run --json`, with `best_state`.
#[pyfunction]
fn run_json(py: Python<'_>, params_json: &str) -> PyResult<String> {
    let mut values: Map<String, Value> = serde_json::from_str(params_json)
        .map_err(|e| PyValueError::new_err(format!("parameters must be a JSON object: {e}")))?;
    let steps = match values.remove("steps") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .or_else(|| v.as_f64().filter(|x| x.fract() == 0.0 && *x >= 0.0).map(|x| x as u64))
                .ok_or_else(|| PyValueError::new_err(format!("steps: must be a whole number, not {v}")))?,
        ),
    };
    let threads = match values.remove("threads") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_u64()
            .ok_or_else(|| PyValueError::new_err(format!("threads: must be a whole number, not {v}")))?
            as usize,
    };
    let result: Result<Value, String> = py.detach(|| {
        let registry = Registry::builtin();
        let request = Request::from_map(values, Scope::Headless).with_total_steps(steps);
        let resolved = registry.resolve(&request).map_err(|e| format!("{}: {}", e.field, e.message))?;
        let mut config = resolved.config;
        config.threads = threads;
        let mut run = if threads == 0 {
            resolved.run
        } else {
            registry.run(&resolved.spec, config.clone()).map_err(|e| format!("{}: {}", e.field, e.message))?
        };
        let started = Instant::now();
        while !run.is_complete() {
            run.run(u64::MAX);
        }
        Ok(kiln::cli::run::result_json(&registry, &resolved.spec, &run, &config, started.elapsed(), false))
    });
    let value = result.map_err(PyValueError::new_err)?;
    Ok(serde_json::to_string(&value).expect("a result serialises"))
}

/// Kiln's version and commit, as `kiln --version` prints them.
#[pyfunction]
fn version() -> &'static str {
    kiln::cli::version()
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sample_ising, m)?)?;
    m.add_function(wrap_pyfunction!(run_json, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
