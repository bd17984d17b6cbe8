//! Temperature schedules: the temperature of every step, known in advance.
//!
//! Every schedule is periodic in cycles: step `t` lies in cycle `t / steps_per_cycle`
//! at position `t % steps_per_cycle`, and a new cycle starts again from `T0` (a
//! reheat). Faulon's schedule is the one the isomer app used; `auto` picks `T0` and
//! `T1` from the problem itself (see [`estimate_temperatures`]).
//!
//! **Geometric without an `exp` per step.** `T0 * r^pos` (with `r^(dt-1) = T1/T0`)
//! is evaluated as a two-level power table: `pos = hi * 1024 + lo`, and
//! `T = coarse(hi) * fine[lo]` with `coarse(hi) = T0 * exp(ln r * hi * 1024)` and
//! `fine[lo] = exp(ln r * lo)`. The fine table (at most 1024 entries) is computed
//! once; the coarse factor is one `exp`, which a [`TemperatureCursor`] computes once
//! per block of 1024 consecutive steps. This product *is* the schedule's definition:
//! every caller, cached or not, on any thread and for any batch size, gets the same
//! bits for the same step. It differs from `T0 * exp(ln r * pos)` by a few units in
//! the last place at most.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::problem::{Problem, Proposal};
use crate::rng::{StepRng, StepStream};

/// Faulon's temperature never drops below this fraction of `T0`.
pub const FAULON_FLOOR_FRACTION: f64 = 1e-3;
/// Default `T1 / T0` for geometric and linear schedules without a final temperature.
pub const DEFAULT_FINAL_FRACTION: f64 = 1e-3;

/// The schedule families a run can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleKind {
    /// Faulon's f_k: `T = T0 - k*T0*t/dt`, floored at `T0 * 1e-3`.
    #[default]
    Faulon,
    /// `T0 * (T1/T0)^(t/(dt-1))` (as a power table, see the module docs).
    Geometric,
    /// `T0 + (T1-T0) * t/(dt-1)`.
    Linear,
    /// `T0` throughout.
    Constant,
    /// Geometric between temperatures estimated from the problem's own deltas.
    Auto,
}

impl ScheduleKind {
    /// Every kind, in the order the CLI and the API list them.
    pub const ALL: [ScheduleKind; 5] = [
        ScheduleKind::Faulon,
        ScheduleKind::Geometric,
        ScheduleKind::Linear,
        ScheduleKind::Constant,
        ScheduleKind::Auto,
    ];

    /// The lowercase name used in parameters.
    pub fn name(self) -> &'static str {
        match self {
            ScheduleKind::Faulon => "faulon",
            ScheduleKind::Geometric => "geometric",
            ScheduleKind::Linear => "linear",
            ScheduleKind::Constant => "constant",
            ScheduleKind::Auto => "auto",
        }
    }

    /// Parse a lowercase name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Bits of a cycle position that index the geometric schedule's fine table.
const FINE_BITS: u32 = 10;
/// Steps per block of the geometric schedule (one coarse factor each).
const FINE_STEPS: u64 = 1 << FINE_BITS;

/// A resolved schedule: the temperature of any step, in O(1).
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    shape: Shape,
    t0: f64,
    t1: f64,
    steps_per_cycle: u64,
}

#[derive(Clone, Debug, PartialEq)]
enum Shape {
    Faulon {
        k: f64,
    },
    /// `log_step = ln(T1/T0) / (dt - 1)`; `fine[lo] = exp(log_step * lo)`.
    Geometric {
        log_step: f64,
        fine: Arc<[f64]>,
    },
    Linear,
    Constant,
}

impl Schedule {
    /// Faulon's schedule with cooling constant `k`.
    pub fn faulon(t0: f64, k: f64, steps_per_cycle: u64) -> Self {
        let floor = t0 * FAULON_FLOOR_FRACTION;
        Self { shape: Shape::Faulon { k }, t0, t1: floor, steps_per_cycle }
    }

    /// Geometric cooling from `t0` to `t1` within each cycle.
    pub fn geometric(t0: f64, t1: f64, steps_per_cycle: u64) -> Self {
        let log_step = if steps_per_cycle > 1 { (t1 / t0).ln() / (steps_per_cycle - 1) as f64 } else { 0.0 };
        let fine = (0..steps_per_cycle.min(FINE_STEPS)).map(|lo| (log_step * lo as f64).exp()).collect();
        Self { shape: Shape::Geometric { log_step, fine }, t0, t1, steps_per_cycle }
    }

    /// Linear cooling from `t0` to `t1` within each cycle.
    pub fn linear(t0: f64, t1: f64, steps_per_cycle: u64) -> Self {
        Self { shape: Shape::Linear, t0, t1, steps_per_cycle }
    }

    /// A constant temperature.
    pub fn constant(t0: f64, steps_per_cycle: u64) -> Self {
        Self { shape: Shape::Constant, t0, t1: t0, steps_per_cycle }
    }

    /// Temperature of step `step` (0-based); always finite and positive.
    ///
    /// For geometric schedules this costs one `exp` (the block's coarse factor); a
    /// [`TemperatureCursor`] gives the same value without it for consecutive steps.
    #[inline]
    pub fn temperature(&self, step: u64) -> f64 {
        if let Shape::Constant = self.shape {
            // Every step's: no cycle position needed (a 64-bit division per step saved).
            return self.t0;
        }
        let dt = self.steps_per_cycle;
        let pos = step % dt;
        // Fraction of the cycle done, 0 at its first step and 1 at its last.
        let frac = || if dt > 1 { pos as f64 / (dt - 1) as f64 } else { 0.0 };
        match &self.shape {
            Shape::Faulon { k } => {
                let t = self.t0 - k * self.t0 * pos as f64 / dt as f64;
                t.max(self.t1)
            }
            Shape::Geometric { log_step, fine } => {
                self.coarse(*log_step, pos >> FINE_BITS) * fine[(pos & (FINE_STEPS - 1)) as usize]
            }
            Shape::Linear => self.t0 + (self.t1 - self.t0) * frac(),
            Shape::Constant => self.t0,
        }
    }

    /// [`Schedule::temperature`] as a call, for the cursor's other schedules: keeps
    /// the cursor's inlined code to the geometric block lookup.
    #[inline(never)]
    fn temperature_outlined(&self, step: u64) -> f64 {
        self.temperature(step)
    }

    /// The geometric schedule's factor for block `hi` of a cycle.
    #[inline]
    fn coarse(&self, log_step: f64, hi: u64) -> f64 {
        self.t0 * (log_step * (hi << FINE_BITS) as f64).exp()
    }

    /// The starting temperature of every cycle.
    pub fn initial_temp(&self) -> f64 {
        self.t0
    }

    /// The last (or floor) temperature of a cycle.
    pub fn final_temp(&self) -> f64 {
        self.t1
    }
}

/// Temperatures of runs of consecutive steps, without an `exp` per step.
///
/// It remembers the geometric block (up to 1024 consecutive steps of one cycle) its
/// last step fell in, with that block's coarse factor; a step in the same block costs
/// a table load and a multiplication. The values are those of
/// [`Schedule::temperature`], bit for bit: the cache holds the very factor that
/// function computes. Other schedules pass through.
#[derive(Clone, Copy, Debug, Default)]
pub struct TemperatureCursor {
    /// First global step of the cached block.
    from: u64,
    /// Steps in the cached block (0: nothing cached).
    len: u64,
    /// Index into the fine table of the block's first step.
    fine_start: u64,
    coarse: f64,
}

impl TemperatureCursor {
    /// The temperature of `step` under `schedule` (the same one every call).
    #[inline(always)]
    pub fn temperature(&mut self, schedule: &Schedule, step: u64) -> f64 {
        let Shape::Geometric { log_step, fine } = &schedule.shape else {
            return schedule.temperature_outlined(step);
        };
        let offset = step.wrapping_sub(self.from);
        if offset >= self.len {
            self.enter(schedule, *log_step, step);
            return self.coarse * fine[self.fine_start as usize];
        }
        self.coarse * fine[(self.fine_start + offset) as usize]
    }

    /// An id of the run of steps whose temperatures [`TemperatureCursor::span`] bounds,
    /// valid after [`TemperatureCursor::temperature`] was asked for a step of it: the
    /// cached geometric block (its first step cached), or the whole run for a constant
    /// schedule. `None` for the other schedules. Callers key per-block caches on it
    /// (the annealer's table of Metropolis thresholds, see `crate::acceptance`).
    #[inline(always)]
    pub fn block(&self, schedule: &Schedule) -> Option<u64> {
        match schedule.shape {
            Shape::Geometric { .. } if self.len > 0 => Some(self.from),
            Shape::Constant => Some(u64::MAX),
            _ => None,
        }
    }

    /// The first step after the run of steps [`TemperatureCursor::block`] names
    /// (`u64::MAX` for a constant schedule), or `None` where `block` is `None`. Valid
    /// under the same condition as `block`.
    #[inline(always)]
    pub fn block_end(&self, schedule: &Schedule) -> Option<u64> {
        match schedule.shape {
            Shape::Geometric { .. } if self.len > 0 => Some(self.from + self.len),
            Shape::Constant => Some(u64::MAX),
            _ => None,
        }
    }

    /// The lowest and highest temperature of the steps of [`TemperatureCursor::block`],
    /// as [`Schedule::temperature`] computes them (the block's ends: the fine table is
    /// monotone, up to an ulp of `exp`).
    pub fn span(&self, schedule: &Schedule) -> (f64, f64) {
        match &schedule.shape {
            Shape::Geometric { fine, .. } if self.len > 0 => {
                let first = self.coarse * fine[self.fine_start as usize];
                let last = self.coarse * fine[(self.fine_start + self.len - 1) as usize];
                (first.min(last), first.max(last))
            }
            _ => (schedule.t0, schedule.t0),
        }
    }

    /// Cache the block that holds `step`.
    #[cold]
    fn enter(&mut self, schedule: &Schedule, log_step: f64, step: u64) {
        let dt = schedule.steps_per_cycle;
        let pos = step % dt;
        let hi = pos >> FINE_BITS;
        let lo = pos & (FINE_STEPS - 1);
        let block_end = ((hi + 1) << FINE_BITS).min(dt);
        *self = TemperatureCursor {
            from: step,
            len: block_end - pos,
            fine_start: lo,
            coarse: schedule.coarse(log_step, hi),
        };
    }
}

/// Acceptance the automatic schedule aims for at the start of a cycle.
pub const AUTO_START_ACCEPTANCE: f64 = 0.8;
/// Acceptance the automatic schedule aims for at the end of a cycle.
pub const AUTO_END_ACCEPTANCE: f64 = 0.001;
/// Proposals the automatic schedule samples.
pub const AUTO_SAMPLES: u64 = 2000;

/// Estimate `(T0, T1)` for the `auto` schedule, deterministically from the seed.
///
/// Method: a random walk of [`AUTO_SAMPLES`] steps from the initial state that
/// applies every valid move (so it samples the landscape, not just the start),
/// drawing from the seed's overflow stream `u64::MAX` so it never shares words with
/// the run. The uphill deltas `d_i > 0` it meets (in the run's direction) define
/// `A(T) = mean_i exp(-d_i / T)`, the acceptance an uphill move would have at `T`.
/// `T0` solves `A(T0) = 0.8` and `T1` solves `A(T1) = 0.001`, both by bisection on
/// `log T` (A is increasing in T). With no uphill delta at all the landscape is
/// flat as far as we can see, and `(1, 1e-3)` is returned.
pub fn estimate_temperatures<P: Problem>(problem: &P, seed: u64, sign: f64) -> (f64, f64) {
    let mut state = problem.initial_state();
    let mut stream = StepStream::new(seed ^ 0x9E37_79B9_7F4A_7C15, 0);
    let mut uphill = Vec::new();
    for t in 0..AUTO_SAMPLES {
        let words = stream.next_step();
        let mut rng = StepRng::new(seed, t, &words);
        if let Proposal::Move(mv) = problem.propose(&state, &mut rng) {
            let d = sign * problem.delta(&state, &mv);
            if d > 0.0 && d.is_finite() {
                uphill.push(d);
            }
            problem.apply(&mut state, &mv);
        }
    }
    if uphill.is_empty() {
        return (1.0, 1e-3);
    }
    let t0 = solve_acceptance(&uphill, AUTO_START_ACCEPTANCE);
    let t1 = solve_acceptance(&uphill, AUTO_END_ACCEPTANCE).min(t0);
    (t0, t1)
}

fn solve_acceptance(uphill: &[f64], target: f64) -> f64 {
    let acceptance = |t: f64| uphill.iter().map(|d| (-d / t).exp()).sum::<f64>() / uphill.len() as f64;
    let (mut lo, mut hi) = (-60.0f64, 60.0f64); // ln T bounds
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if acceptance(mid.exp()) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (0.5 * (lo + hi)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faulon_starts_at_t0_hits_the_floor_and_reheats() {
        let s = Schedule::faulon(100.0, 8.0, 1000);
        assert_eq!(s.temperature(0), 100.0);
        assert_eq!(s.temperature(125), 100.0 * FAULON_FLOOR_FRACTION);
        assert_eq!(s.temperature(999), 100.0 * FAULON_FLOOR_FRACTION);
        assert_eq!(s.temperature(1000), 100.0, "first step of cycle 2 is back at T0");
        assert!(s.temperature(124) > s.temperature(125));
    }

    #[test]
    fn faulon_with_k_zero_is_constant() {
        let s = Schedule::faulon(50.0, 0.0, 100);
        assert!((0..300).all(|t| s.temperature(t) == 50.0));
    }

    #[test]
    fn faulon_with_k_one_is_linear_down_to_the_floor() {
        let s = Schedule::faulon(100.0, 1.0, 1000);
        for t in [0u64, 1, 250, 500, 998] {
            let expected = 100.0 - 100.0 * t as f64 / 1000.0;
            assert!((s.temperature(t) - expected).abs() < 1e-9, "t={t}");
        }
        assert_eq!(s.temperature(999), 100.0 * FAULON_FLOOR_FRACTION);
        // Equal steps give equal drops: linear.
        let d1 = s.temperature(10) - s.temperature(20);
        let d2 = s.temperature(600) - s.temperature(610);
        assert!((d1 - d2).abs() < 1e-9);
    }

    #[test]
    fn geometric_and_linear_run_from_t0_to_t1_each_cycle() {
        for s in [Schedule::geometric(10.0, 0.01, 101), Schedule::linear(10.0, 0.01, 101)] {
            assert_eq!(s.temperature(0), 10.0);
            assert!((s.temperature(100) - 0.01).abs() < 1e-12);
            assert_eq!(s.temperature(101), 10.0);
        }
        let g = Schedule::geometric(10.0, 0.1, 3);
        assert!((g.temperature(1) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn geometric_power_table_matches_the_closed_form_to_a_few_ulps() {
        // Oracle: T0 * (T1/T0)^(pos/(dt-1)), the textbook formula, evaluated directly.
        for (t0, t1, dt) in
            [(100.0, 0.01, 5_000_000u64), (3.0, 2.0, 1_025), (1e6, 1e-6, 1 << 40), (5.0, 0.5, 7)]
        {
            let s = Schedule::geometric(t0, t1, dt);
            let positions = [0, 1, 2, 1_023, 1_024, 1_025, dt / 3, dt / 2 + 17, dt - 2, dt - 1];
            for pos in positions.into_iter().filter(|&p| p < dt) {
                let exact = t0 * ((t1 / t0).ln() * pos as f64 / (dt - 1) as f64).exp();
                let got = s.temperature(pos);
                assert!(((got - exact) / exact).abs() < 1e-12, "dt {dt} pos {pos}: {got} vs {exact}");
                assert_eq!(got.to_bits(), s.temperature(pos + 3 * dt).to_bits(), "cycles repeat");
            }
        }
    }

    #[test]
    fn the_cursor_gives_the_schedules_bits_for_every_step() {
        for s in [
            Schedule::geometric(100.0, 0.01, 3_000),
            Schedule::geometric(7.0, 0.3, 1),
            Schedule::geometric(7.0, 0.3, 1_024),
            Schedule::faulon(100.0, 8.0, 500),
            Schedule::linear(10.0, 1.0, 77),
            Schedule::constant(4.0, 10),
        ] {
            let mut cursor = TemperatureCursor::default();
            for t in 0..10_000 {
                assert_eq!(cursor.temperature(&s, t).to_bits(), s.temperature(t).to_bits(), "{s:?} step {t}");
            }
            // Jumping around (a reset, a replay entering mid-run) changes nothing either.
            for t in [9_999, 5, 3_001, 2_999, 0, 1_023, 1_024, 123_456] {
                assert_eq!(cursor.temperature(&s, t).to_bits(), s.temperature(t).to_bits(), "step {t}");
            }
        }
    }

    #[test]
    fn acceptance_solver_hits_its_target() {
        let deltas = [1.0, 2.0, 5.0, 10.0];
        for target in [0.8, 0.001] {
            let t = solve_acceptance(&deltas, target);
            let a = deltas.iter().map(|d| (-d / t).exp()).sum::<f64>() / 4.0;
            assert!((a - target).abs() < 1e-9, "target {target}: got {a}");
        }
    }
}
