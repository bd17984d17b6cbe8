//! The tuned ladder: a warm-up that re-spaces a tempering run's temperatures so that
//! neighbouring replicas swap about equally often.
//!
//! **Why.** Two replicas at inverse temperatures `b_i > b_j` whose energies are close
//! to Gaussian swap with probability about `erfc(sqrt(db * dE) / 2)`, where `db` is
//! the gap in inverse temperature and `dE` the difference of their mean energies (in
//! equilibrium `dE` is the integral of the energy variance over the gap, so
//! `db * dE` is about `(db * sigma)^2`). Equal exchange rates ask for equal
//! `sqrt(db * dE)` in every gap: the energy-variance spacing (Kofke 2002; Katzgraber,
//! Trebst, Huse and Troyer 2006 discuss it beside their feedback method). A geometric
//! ladder gives that only for a heat capacity that is flat over the ladder; a spin
//! glass's is not (nearly frozen at the cold end), so a geometric ladder over a wide
//! range (the magnet's 3 to 0.2) spends replicas where nothing moves and leaves the
//! gaps where the energy changes fast too wide to swap across.
//!
//! **How.** The warm-up is the first [`WARM_UP_SHARE`]th of the run's exchange
//! rounds, in [`STAGES`] stages of equal rounds. In the second half of each stage
//! (the first lets replicas settle at their new temperatures) every round adds each
//! temperature's cost to its sum. At the stage's end the mean costs give each gap a
//! length `sqrt(db * max(dE, 0))`, at least [`FLOOR`] times the mean length (a
//! frozen gap keeps a little weight), and [`respace`] puts the inner inverse
//! temperatures at equal shares of the summed length, linearly within a gap. The ends
//! never move. A run too short for [`MIN_STAGE_ROUNDS`] rounds a stage keeps its
//! geometric ladder.
//!
//! **Determinism.** Only the replicas' costs at round boundaries feed it, read in
//! temperature order after the round's swaps, so the ladder is, like the rest of the
//! run, a pure function of (problem, config, seed) on any thread count.

/// The warm-up is this fraction (one in ..) of the run's exchange rounds.
pub const WARM_UP_SHARE: u64 = 10;
/// Re-spacings during the warm-up.
pub const STAGES: u64 = 4;
/// Fewest rounds a stage needs for its means to be worth re-spacing by.
pub const MIN_STAGE_ROUNDS: u64 = 16;
/// A gap's length is at least this times the mean gap length.
pub const FLOOR: f64 = 0.02;

/// The warm-up's progress and its running sums of costs per temperature.
#[derive(Clone, Debug)]
pub(super) struct WarmUp {
    /// Rounds per stage; 0 when the ladder is not tuned.
    stage_rounds: u64,
    /// Per temperature (coldest first): costs summed over this stage's sampled rounds.
    sums: Vec<f64>,
    samples: u64,
}

impl WarmUp {
    /// No tuning: the ladder stays as it started.
    pub(super) fn off() -> Self {
        WarmUp { stage_rounds: 0, sums: Vec::new(), samples: 0 }
    }

    /// The warm-up of a run of `rounds` exchange rounds over `replicas` temperatures.
    pub(super) fn new(rounds: u64, replicas: usize) -> Self {
        let stage_rounds = rounds / WARM_UP_SHARE / STAGES;
        if stage_rounds < MIN_STAGE_ROUNDS || replicas < 3 {
            return Self::off();
        }
        WarmUp { stage_rounds, sums: vec![0.0; replicas], samples: 0 }
    }

    /// Back to the start of the warm-up.
    pub(super) fn reset(&mut self) {
        self.sums.fill(0.0);
        self.samples = 0;
    }

    /// Round `round` (0-based) is done and left these costs at these temperatures
    /// (coldest first); the new ladder when this round ends a stage.
    pub(super) fn observe(
        &mut self,
        round: u64,
        costs: impl Iterator<Item = f64>,
        temperatures: &[f64],
    ) -> Option<Vec<f64>> {
        if self.stage_rounds == 0 || round >= STAGES * self.stage_rounds {
            return None;
        }
        let within = round % self.stage_rounds;
        if within < self.stage_rounds / 2 {
            return None;
        }
        for (sum, cost) in self.sums.iter_mut().zip(costs) {
            *sum += cost;
        }
        self.samples += 1;
        if within + 1 < self.stage_rounds {
            return None;
        }
        let means: Vec<f64> = self.sums.iter().map(|s| s / self.samples as f64).collect();
        self.reset();
        Some(respace(temperatures, &means))
    }
}

/// The ladder with the same ends as `temperatures` (coldest first) whose gaps have
/// equal lengths `sqrt(db * max(dE, 0))` (module doc), from the mean costs measured
/// at `temperatures`, taking the mean costs as linear in inverse temperature within
/// each gap. Unchanged when there is nothing to go by (every gap of length 0, or a
/// mean not finite).
pub fn respace(temperatures: &[f64], mean_costs: &[f64]) -> Vec<f64> {
    let n = temperatures.len();
    if n < 3 || mean_costs.len() != n || mean_costs.iter().any(|m| !m.is_finite()) {
        return temperatures.to_vec();
    }
    let beta: Vec<f64> = temperatures.iter().map(|t| 1.0 / t).collect();
    let mut lengths: Vec<f64> = (0..n - 1)
        .map(|i| ((beta[i] - beta[i + 1]) * (mean_costs[i + 1] - mean_costs[i]).max(0.0)).sqrt())
        .collect();
    let mean = lengths.iter().sum::<f64>() / (n - 1) as f64;
    if !(mean > 0.0 && mean.is_finite()) {
        return temperatures.to_vec();
    }
    for length in &mut lengths {
        *length = length.max(FLOOR * mean);
    }
    let total: f64 = lengths.iter().sum();
    let mut out = Vec::with_capacity(n);
    out.push(temperatures[0]);
    let (mut gap, mut below) = (0, 0.0);
    for k in 1..n - 1 {
        let target = total * k as f64 / (n - 1) as f64;
        while gap < n - 2 && below + lengths[gap] < target {
            below += lengths[gap];
            gap += 1;
        }
        let share = ((target - below) / lengths[gap]).clamp(0.0, 1.0);
        out.push(1.0 / (beta[gap] - share * (beta[gap] - beta[gap + 1])));
    }
    out.push(temperatures[n - 1]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tempering::ladder;

    /// A heat capacity that does not depend on temperature (mean energy `C * T`, as
    /// for classical oscillators) is equalised by a geometric ladder (Kofke 2002;
    /// Predescu, Predescu and Ciobanu 2004): re-spacing a linear ladder again and
    /// again by exact means must converge to it.
    #[test]
    fn a_constant_heat_capacity_converges_to_the_geometric_ladder() {
        let (cold, hot, n) = (0.2, 3.0, 12);
        let mut t: Vec<f64> = (0..n).map(|i| cold + (hot - cold) * i as f64 / (n - 1) as f64).collect();
        for _ in 0..60 {
            let means: Vec<f64> = t.iter().map(|t| 500.0 * t).collect();
            t = respace(&t, &means);
        }
        for (got, want) in t.iter().zip(ladder(cold, hot, n)) {
            assert!((got / want - 1.0).abs() < 1e-3, "{t:?}");
        }
    }

    #[test]
    fn the_ends_stay_and_the_ladder_stays_increasing() {
        let t = ladder(0.2, 3.0, 10);
        // Frozen below T = 0.6 (equal means), steep above it.
        let means: Vec<f64> =
            t.iter().map(|&t| if t < 0.6 { -100.0 } else { -100.0 + 50.0 * (t - 0.6) }).collect();
        let out = respace(&t, &means);
        assert_eq!((out[0], out[9]), (0.2, 3.0));
        assert!(out.windows(2).all(|w| w[0] < w[1]), "{out:?}");
        // The frozen range gives its replicas up to the range where the energy moves.
        let below = |l: &[f64]| l.iter().filter(|&&t| t < 0.6).count();
        assert!(below(&out) < below(&t), "{out:?}");
    }

    #[test]
    fn nothing_to_go_by_leaves_the_ladder_as_it_was() {
        let t = ladder(0.5, 2.0, 5);
        assert_eq!(respace(&t, &[1.0; 5]), t);
        assert_eq!(respace(&t, &[1.0, 2.0, f64::NAN, 3.0, 4.0]), t);
    }
}
