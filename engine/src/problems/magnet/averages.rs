//! `SweepAverages`: equilibrium averages of a magnet run, sampled once per sweep.
//!
//! At a constant temperature the second half of a long run samples the Boltzmann
//! distribution, and two of its averages are what a class (and a test) compares with
//! Onsager's exact solution: the mean absolute magnetisation per spin and the mean
//! energy per spin. Samples are taken after every full sweep of N steps (N = number
//! of spins) whose last step lies in the second half of the run, that is at steps
//! `k * N` with `total / 2 < k * N <= total`; consecutive single-spin steps are too
//! correlated to be worth sampling more often.
//!
//! The samples depend only on the states at those steps, which are a pure function of
//! (problem, config, seed), so the averages are the same however the run is cut into
//! frames, for every batch size and thread count. Drive the run through
//! [`SweepAverages::advance`] (which stops the annealer at every sweep boundary) or
//! [`SweepAverages::step`], or have the driver stop at every sweep boundary
//! ([`SweepAverages::sweep`] steps apart) and call [`SweepAverages::observe`] there;
//! steps run around them are not sampled. A reset annealer (its step count going back)
//! clears the averages.

use crate::annealer::{Annealer, StepOutcome};

use super::instance::Magnet;

/// Running sums of |m| and E / N over the second half of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepAverages {
    spins: u64,
    half: u64,
    total: u64,
    samples: u64,
    sum_abs_magnetization: f64,
    sum_energy_per_spin: f64,
    last_step: u64,
}

impl SweepAverages {
    /// Averages for `annealer`'s run (its instance size and total steps).
    pub fn new(annealer: &Annealer<Magnet>) -> Self {
        let total = annealer.total_steps();
        Self {
            spins: annealer.problem().len() as u64,
            half: total / 2,
            total,
            samples: 0,
            sum_abs_magnetization: 0.0,
            sum_energy_per_spin: 0.0,
            last_step: annealer.steps_done(),
        }
    }

    /// Advance `annealer` by up to `n` steps (fewer at the end of the run), sampling
    /// at every sweep boundary in the second half; returns the steps done.
    pub fn advance(&mut self, annealer: &mut Annealer<Magnet>, n: u64) -> u64 {
        let start = annealer.steps_done();
        if start < self.last_step {
            self.clear();
        }
        let end = start.saturating_add(n).min(self.total);
        while annealer.steps_done() < end {
            let step = annealer.steps_done();
            let sweep_end = (step / self.spins + 1) * self.spins;
            annealer.run(sweep_end.min(end) - step);
            if annealer.steps_done() == sweep_end && sweep_end > self.half {
                self.sample(annealer);
            }
        }
        self.last_step = annealer.steps_done();
        self.last_step - start
    }

    /// Advance `annealer` by one step, sampling if it ends a sweep in the second half.
    pub fn step(&mut self, annealer: &mut Annealer<Magnet>) -> Option<StepOutcome> {
        if annealer.steps_done() < self.last_step {
            self.clear();
        }
        let outcome = annealer.step();
        let step = annealer.steps_done();
        if outcome.is_some() && step.is_multiple_of(self.spins) && step > self.half {
            self.sample(annealer);
        }
        self.last_step = step;
        outcome
    }

    /// Steps in a sweep (the number of spins): call [`SweepAverages::observe`] after
    /// every multiple of it.
    pub fn sweep(&self) -> u64 {
        self.spins
    }

    /// The annealer stands at a sweep boundary its driver stopped at: sample it if
    /// it lies in the second half (after a reset, start over).
    pub fn observe(&mut self, annealer: &Annealer<Magnet>) {
        let step = annealer.steps_done();
        if step < self.last_step {
            self.clear();
        }
        if step > 0 && step.is_multiple_of(self.spins) && step > self.half {
            self.sample(annealer);
        }
        self.last_step = step;
    }

    /// Back to no samples, for a run back at step 0.
    pub fn restart(&mut self) {
        self.clear();
        self.last_step = 0;
    }

    fn sample(&mut self, annealer: &Annealer<Magnet>) {
        let magnet = annealer.problem();
        self.samples += 1;
        self.sum_abs_magnetization += magnet.magnetization(annealer.state()).abs();
        self.sum_energy_per_spin += annealer.current_energy() / self.spins as f64;
    }

    fn clear(&mut self) {
        self.samples = 0;
        self.sum_abs_magnetization = 0.0;
        self.sum_energy_per_spin = 0.0;
    }

    /// Sweeps sampled so far.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// Mean |magnetisation per spin| over the samples (none before the first).
    pub fn mean_abs_magnetization(&self) -> Option<f64> {
        (self.samples > 0).then(|| self.sum_abs_magnetization / self.samples as f64)
    }

    /// Mean energy per spin over the samples (none before the first).
    pub fn mean_energy_per_spin(&self) -> Option<f64> {
        (self.samples > 0).then(|| self.sum_energy_per_spin / self.samples as f64)
    }
}
