//! Replica exchange (parallel tempering): R annealers on a temperature ladder that
//! swap configurations.
//!
//! One annealing chain stalls on a rugged landscape: once cold, it cannot climb out of
//! the valley it settled in. Replica exchange (Swendsen and Wang 1986; Hukushima and
//! Nemoto 1996) runs R copies of the problem at fixed temperatures `T_0 < .. < T_{R-1}`,
//! each an ordinary Metropolis chain (an [`Annealer`] with a constant schedule), and
//! every `exchange_interval` steps offers neighbouring temperatures a swap of their
//! configurations, accepted with probability `min(1, exp((1/T_i - 1/T_j)(E_i - E_j)))`
//! (in the annealed cost, so maximising works the same). A configuration that got
//! stuck cold can walk up the ladder, cross the barrier hot and come back down: the
//! ladder as a whole samples every temperature's Boltzmann distribution, and the
//! coldest replica finds low states a single chain would not.
//!
//! **Determinism.** The trajectory is a pure function of (problem, config, seed) on any
//! thread count:
//! * replica `i` draws from its own ChaCha stream, keyed by [`replica_seed`]`(seed, i)`
//!   (step `t` of replica `i` owns that stream's words of step `t`, as in any run);
//! * the exchange decisions draw from another, keyed by [`exchange_seed`]`(seed)`:
//!   round `r`'s pair `p` reads the uniform of "step" `r * (R - 1) + p`;
//! * round `r` (after steps `(r + 1) * interval`) tries the pairs `(i, i + 1)` with `i`
//!   even when `r` is even, `i` odd when `r` is odd, in increasing `i`.
//!
//! Replicas run their steps between two rounds in parallel (rayon, one task per
//! replica: the parallelism is a property of the data), which cannot change what any
//! of them computes. The `batch` setting applies within each replica and, as for
//! annealing, changes nothing either.
//!
//! **Ladder.** Geometric between the config's final temperature (coldest) and
//! `initial_temp` (hottest), or the two `auto` estimates; see [`ladder`]. With
//! `ladder: tuned` (the default of new runs) a warm-up, the first tenth of the
//! rounds, re-spaces the inner temperatures so that neighbours swap about equally
//! often (see [`tune`]); the ladder is fixed after it.
//!
//! **Best.** Each replica keeps the best state it held; at every exchange round and
//! at the end, the coldest replica adopts the best of all (ties keep the colder
//! one's), so what it reports is the best over all replicas.
//!
//! **What users judge a ladder by** ([`Tempering::report`]): each replica's
//! acceptance, the exchange rate of each pair (too low: temperatures too far apart),
//! and round trips, a configuration's walk from the coldest temperature to the
//! hottest and back (none: the ladder does not mix).

use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::annealer::{Annealer, Counters, Snapshot, StepOutcome, StepView};
use crate::checkpoint::Checkpoint;
use crate::config::{AnnealConfig, Batch, ConfigError, Ladder, TemperingConfig};
use crate::digest::Digest;
use crate::problem::Problem;
use crate::rng::{MIN_WORDS_PER_STEP, StepStream};
use crate::schedule::{ScheduleKind, estimate_temperatures};

pub mod tune;

use tune::WarmUp;

/// SplitMix64's finaliser: spreads a seed over 64 bits (Steele, Lea and Flood 2014).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The golden-ratio increment of SplitMix64.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The seed of replica `i`'s stream: `mix(seed + (i + 1) * GOLDEN)`.
pub fn replica_seed(seed: u64, i: usize) -> u64 {
    mix(seed.wrapping_add((i as u64 + 1).wrapping_mul(GOLDEN)))
}

/// The seed of the exchange decisions' stream: `mix(seed)` (replica seeds start at
/// `i + 1 = 1`, so it is none of theirs).
pub fn exchange_seed(seed: u64) -> u64 {
    mix(seed)
}

/// `n` temperatures from `cold` to `hot`, spaced geometrically (constant ratio), the
/// ends exact. The usual first choice (Katzgraber, Trebst, Huse and Troyer 2006): for
/// a heat capacity that varies little over the range it gives equal exchange rates.
pub fn ladder(cold: f64, hot: f64, n: usize) -> Vec<f64> {
    if n < 2 {
        return vec![cold];
    }
    let ratio = (hot / cold).ln();
    (0..n)
        .map(|i| match i {
            0 => cold,
            i if i == n - 1 => hot,
            i => cold * (ratio * i as f64 / (n - 1) as f64).exp(),
        })
        .collect()
}

/// Which end of the ladder a configuration visited last (for round trips).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Heading {
    /// Not yet at either end.
    Unknown,
    /// Left the coldest temperature, on its way to the hottest.
    Up,
    /// Reached the hottest, on its way back down.
    Down,
}

/// One replica in a [`TemperingReport`], by temperature (coldest first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplicaReport {
    /// The replica's temperature.
    pub temperature: f64,
    /// Energy of the configuration it holds now.
    pub energy: f64,
    /// Best energy it has held.
    pub best_energy: f64,
    /// Accepted per valid proposal over the whole run.
    pub acceptance: f64,
    /// Accepted per valid proposal over roughly the last 1,000 to 2,000 steps.
    pub recent_acceptance: f64,
    /// Which configuration it holds: configurations are numbered by the temperature
    /// they started at (0 = coldest), and travel the ladder by exchanges.
    pub walker: u32,
}

/// The numbers users judge a ladder by: the `tempering` object of a progress event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemperingReport {
    /// Replicas, coldest first.
    pub replicas: Vec<ReplicaReport>,
    /// Exchange rounds done.
    pub rounds: u64,
    /// Per neighbouring pair `(i, i + 1)`: swaps accepted so far.
    pub swaps: Vec<u64>,
    /// Per neighbouring pair: swaps accepted per swap tried (0 before any try).
    pub exchange_rates: Vec<f64>,
    /// Pairs that swapped in the last round (their lower index).
    pub last_swaps: Vec<u32>,
    /// Completed round trips: a configuration's walk from the coldest temperature to
    /// the hottest and back, summed over configurations.
    pub round_trips: u64,
    /// Steps each replica takes between rounds.
    pub exchange_interval: u64,
}

/// One swap tried in an exchange round, for teaching: which pair, their temperatures
/// and energies, the chance of the swap, the draw that decided it, and the outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SwapTry {
    /// The pair's lower index `i` (the pair is `i` and `i + 1`, coldest first).
    pub pair: u32,
    /// `T_i` and `T_(i+1)`.
    pub temperatures: [f64; 2],
    /// The energies of the two configurations (the problem's units and sign).
    pub energies: [f64; 2],
    /// `min(1, exp((1/T_i - 1/T_(i+1)) (E_i - E_(i+1))))` for the annealed costs.
    pub p_swap: f64,
    /// The uniform draw: the swap is taken when it is below `p_swap`.
    pub u: f64,
    /// Whether the two configurations swapped.
    pub swapped: bool,
}

/// A replica-exchange run over problem `P`, step by step like an [`Annealer`]: a step
/// is one step of every replica.
pub struct Tempering<P: Problem + Clone> {
    /// Replica `i` runs at `temperatures[i]`, coldest first.
    replicas: Vec<Annealer<P>>,
    temperatures: Vec<f64>,
    /// The ladder at step 0 (a tuned ladder moves during its warm-up).
    start_temperatures: Vec<f64>,
    warm_up: WarmUp,
    config: AnnealConfig,
    interval: u64,
    step: u64,
    total_steps: u64,
    rounds: u64,
    /// Per pair: swaps tried, swaps accepted.
    tried: Vec<u64>,
    swapped: Vec<u64>,
    last_swaps: Vec<u32>,
    /// The swaps tried in the latest round.
    last_tries: Vec<SwapTry>,
    /// Which configuration each temperature holds, and where each configuration heads.
    walker_at: Vec<u32>,
    heading: Vec<Heading>,
    round_trips: u64,
    /// Per temperature: rounds it ended holding a configuration that has been to
    /// either end, and of those, one on its way down (see [`Tempering::down_fractions`]).
    labelled: Vec<u64>,
    heading_down: Vec<u64>,
    /// Threads for the replicas (0: one per core), and the pool, made on first use.
    threads: usize,
    pool: Option<Arc<rayon::ThreadPool>>,
}

impl<P: Problem + Clone> Tempering<P> {
    /// A tempering run at step 0. `config.tempering` must be set; fails if the config
    /// is out of range.
    pub fn new(problem: P, config: AnnealConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let Some(TemperingConfig { replicas, exchange_interval, ladder: spacing }) = config.tempering else {
            return Err(ConfigError {
                field: "method",
                message: "a tempering run needs method \"tempering\"".into(),
            });
        };
        let sign = config.direction.sign();
        let (hot, cold) = match config.schedule {
            ScheduleKind::Auto => estimate_temperatures(&problem, config.seed, sign),
            _ => (config.initial_temp, config.resolved_final_temp()),
        };
        let n = replicas as usize;
        let temperatures = ladder(cold.min(hot), hot.max(cold), n);
        let pool = match config.batch {
            // A replica scoring candidates in parallel shares the replicas' pool.
            Batch::Fixed(k) if k > 1 => Some(make_pool(config.threads)),
            _ => None,
        };
        let mut annealers = Vec::with_capacity(n);
        for (i, &temperature) in temperatures.iter().enumerate() {
            let own = AnnealConfig {
                seed: replica_seed(config.seed, i),
                schedule: ScheduleKind::Constant,
                initial_temp: temperature,
                final_temp: None,
                batch: match config.batch {
                    Batch::Auto => Batch::Fixed(1),
                    fixed => fixed,
                },
                tempering: None,
                ..config.clone()
            };
            let annealer = Annealer::new(problem.clone(), own)?;
            annealers.push(match &pool {
                Some(pool) => annealer.with_pool(pool.clone()),
                None => annealer,
            });
        }
        let warm_up = match spacing {
            Ladder::Tuned => WarmUp::new(config.total_steps() / exchange_interval, n),
            Ladder::Geometric => WarmUp::off(),
        };
        Ok(Self {
            total_steps: config.total_steps(),
            replicas: annealers,
            start_temperatures: temperatures.clone(),
            temperatures,
            warm_up,
            interval: exchange_interval,
            step: 0,
            rounds: 0,
            tried: vec![0; n - 1],
            swapped: vec![0; n - 1],
            last_swaps: Vec::new(),
            last_tries: Vec::new(),
            walker_at: (0..n as u32).collect(),
            heading: initial_headings(n),
            round_trips: 0,
            labelled: vec![0; n],
            heading_down: vec![0; n],
            threads: config.threads,
            pool,
            config,
        })
    }

    /// Share a rayon pool (a server running many sessions) instead of making one.
    pub fn with_pool(mut self, pool: Arc<rayon::ThreadPool>) -> Self {
        if matches!(self.config.batch, Batch::Fixed(k) if k > 1) {
            self.replicas = self.replicas.into_iter().map(|r| r.with_pool(pool.clone())).collect();
        }
        self.pool = Some(pool);
        self
    }

    /// Back to step 0 with the same problem, config and ladder.
    pub fn reset(&mut self) {
        for replica in &mut self.replicas {
            replica.reset();
        }
        self.warm_up.reset();
        self.set_ladder(self.start_temperatures.clone());
        let n = self.replicas.len();
        self.step = 0;
        self.rounds = 0;
        self.tried.fill(0);
        self.swapped.fill(0);
        self.last_swaps.clear();
        self.last_tries.clear();
        self.walker_at = (0..n as u32).collect();
        self.heading = initial_headings(n);
        self.round_trips = 0;
        self.labelled.fill(0);
        self.heading_down.fill(0);
    }

    /// Advance every replica by one step (and exchange if a round falls due); returns
    /// what the coldest replica's step did, `None` once the run is complete. The same
    /// trajectory as `run(1)`.
    pub fn step(&mut self) -> Option<StepOutcome> {
        self.step_observed(|_| {})
    }

    /// [`Tempering::step`], showing the coldest replica's step to `observer` (what a
    /// teaching step explains); [`Tempering::round_done`] then says whether an
    /// exchange round followed it, and [`Tempering::last_tries`] what it tried.
    pub fn step_observed(&mut self, observer: impl FnOnce(&StepView<'_, P>)) -> Option<StepOutcome> {
        if self.is_complete() {
            return None;
        }
        let outcome = self.replicas[0].step_observed(observer);
        for replica in &mut self.replicas[1..] {
            replica.run(1);
        }
        self.step += 1;
        self.after_steps();
        outcome
    }

    /// The exchange round and the gathering of the best that fall due at this step.
    fn after_steps(&mut self) {
        if self.step.is_multiple_of(self.interval) {
            self.exchange_round();
        }
        if self.step.is_multiple_of(self.interval) || self.step == self.total_steps {
            self.gather_best();
        }
    }

    /// Advance every replica up to `n` steps (fewer at the end of the run), with the
    /// exchange rounds that fall due; returns how many.
    pub fn run(&mut self, n: u64) -> u64 {
        let start = self.step;
        let end = self.step.saturating_add(n).min(self.total_steps);
        while self.step < end {
            let next_round = (self.step / self.interval + 1) * self.interval;
            let stop = next_round.min(end);
            self.run_replicas(stop - self.step);
            self.step = stop;
            self.after_steps();
        }
        self.step - start
    }

    /// `k` steps of every replica, in parallel when there are threads for it.
    fn run_replicas(&mut self, k: u64) {
        if self.planned_threads() < 2 {
            for replica in &mut self.replicas {
                replica.run(k);
            }
            return;
        }
        let pool = self.pool();
        let replicas = &mut self.replicas;
        pool.install(|| {
            replicas.par_iter_mut().for_each(|replica| {
                replica.run(k);
            })
        });
    }

    fn planned_threads(&self) -> usize {
        match (&self.pool, self.threads) {
            (Some(pool), _) => pool.current_num_threads(),
            (None, 0) => std::thread::available_parallelism().map_or(1, |n| n.get()),
            (None, n) => n,
        }
    }

    /// The replicas' pool, made on first use.
    fn pool(&mut self) -> Arc<rayon::ThreadPool> {
        self.pool.get_or_insert_with(|| make_pool(self.threads)).clone()
    }

    /// One exchange round: the pairs of this round's parity, in order (module doc).
    fn exchange_round(&mut self) {
        let n = self.replicas.len();
        let pairs = (n - 1) as u64;
        let first = (self.rounds % 2) as usize;
        self.last_swaps.clear();
        self.last_tries.clear();
        let sign = self.config.direction.sign();
        for i in (first..n - 1).step_by(2) {
            let word_step = self.rounds * pairs + i as u64;
            let u = StepStream::with_words(exchange_seed(self.config.seed), word_step, MIN_WORDS_PER_STEP)
                .next_step()
                .uniform();
            let (beta_i, beta_j) = (1.0 / self.temperatures[i], 1.0 / self.temperatures[i + 1]);
            let (cost_i, cost_j) = (self.replicas[i].cost(), self.replicas[i + 1].cost());
            let exponent = (beta_i - beta_j) * (cost_i - cost_j);
            self.tried[i] += 1;
            let swap = exponent >= 0.0 || u < exponent.exp();
            self.last_tries.push(SwapTry {
                pair: i as u32,
                temperatures: [self.temperatures[i], self.temperatures[i + 1]],
                energies: [sign * cost_i, sign * cost_j],
                p_swap: exponent.exp().min(1.0),
                u,
                swapped: swap,
            });
            if swap {
                let (low, high) = self.replicas.split_at_mut(i + 1);
                Annealer::exchange_states(&mut low[i], &mut high[0]);
                self.walker_at.swap(i, i + 1);
                self.swapped[i] += 1;
                self.last_swaps.push(i as u32);
            }
        }
        let costs = self.replicas.iter().map(|r| r.cost());
        if let Some(ladder) = self.warm_up.observe(self.rounds, costs, &self.temperatures) {
            self.set_ladder(ladder);
        }
        self.rounds += 1;
        self.count_round_trips();
    }

    /// Every replica to its temperature of `ladder` (coldest first).
    fn set_ladder(&mut self, ladder: Vec<f64>) {
        for (replica, (&new, old)) in self.replicas.iter_mut().zip(ladder.iter().zip(&self.temperatures)) {
            if new != *old {
                replica.set_temperature(new);
            }
        }
        self.temperatures = ladder;
    }

    /// Update each configuration's heading from where it now is.
    fn count_round_trips(&mut self) {
        let last = self.replicas.len() - 1;
        let coldest = self.walker_at[0] as usize;
        if self.heading[coldest] == Heading::Down {
            self.round_trips += 1;
        }
        self.heading[coldest] = Heading::Up;
        let hottest = self.walker_at[last] as usize;
        if self.heading[hottest] == Heading::Up {
            self.heading[hottest] = Heading::Down;
        }
        for (k, &walker) in self.walker_at.iter().enumerate() {
            match self.heading[walker as usize] {
                Heading::Unknown => {}
                Heading::Up => self.labelled[k] += 1,
                Heading::Down => {
                    self.labelled[k] += 1;
                    self.heading_down[k] += 1;
                }
            }
        }
    }

    /// Per temperature (coldest first), the share of rounds it ended holding a
    /// configuration on its way down (last at the hottest end, not yet back at the
    /// coldest) among those it held one that has been to either end: Katzgraber,
    /// Trebst, Huse and Troyer's (2006) `f(T)`, 0 at the coldest and 1 at the hottest.
    /// Configurations that diffuse freely make it fall evenly along the ladder; a steep
    /// drop over a few temperatures is where the ladder's flow is throttled (those
    /// authors' remedy: more temperatures there). NaN where no labelled configuration
    /// was seen.
    pub fn down_fractions(&self) -> Vec<f64> {
        self.labelled
            .iter()
            .zip(&self.heading_down)
            .map(|(&n, &down)| if n == 0 { f64::NAN } else { down as f64 / n as f64 })
            .collect()
    }

    /// The coldest replica adopts the best state of all (colder first on ties).
    fn gather_best(&mut self) {
        let (coldest, others) = self.replicas.split_at_mut(1);
        for other in others.iter() {
            coldest[0].adopt_best(other);
        }
    }

    /// The replica holding the best state of all right now (the coldest on ties).
    fn best_replica(&self) -> &Annealer<P> {
        let mut best = &self.replicas[0];
        for replica in &self.replicas[1..] {
            if replica.best_cost() < best.best_cost() {
                best = replica;
            }
        }
        best
    }

    /// The numbers of a progress event: the coldest replica's temperature, state and
    /// recent acceptance; the best over all replicas; move counters summed over them.
    pub fn snapshot(&self) -> Snapshot {
        let mut snapshot = self.coldest().snapshot();
        let counters = self.counters();
        let best = self.best_replica();
        snapshot.best_energy = best.best_energy();
        snapshot.best_step = best.best_step();
        snapshot.accepted_moves = counters.accepted;
        snapshot.rejected_moves = counters.rejected;
        snapshot.invalid_moves = counters.invalid;
        for (i, (_, n)) in snapshot.invalid_by_kind.iter_mut().enumerate() {
            *n = counters.invalid_by_kind[i + 1];
        }
        snapshot
    }

    /// A replay checkpoint: the step, the coldest replica's energy, the best energy
    /// of all, and a digest of every replica's state hash, coldest first (so a
    /// checkpoint covers the whole ladder, not only what the coldest shows).
    pub fn checkpoint(&self) -> Checkpoint {
        let mut digest = Digest::default();
        for replica in &self.replicas {
            digest.bytes(&replica.checkpoint().state_hash.to_le_bytes());
        }
        Checkpoint {
            step: self.step,
            current_energy: self.coldest().current_energy(),
            best_energy: self.best_energy(),
            state_hash: digest.finish(),
        }
    }

    /// The ladder's numbers (see [`TemperingReport`]).
    pub fn report(&self) -> TemperingReport {
        let replicas = self
            .replicas
            .iter()
            .zip(&self.temperatures)
            .zip(&self.walker_at)
            .map(|((replica, &temperature), &walker)| {
                let c = replica.counters();
                let valid = c.accepted + c.rejected;
                ReplicaReport {
                    temperature,
                    energy: replica.current_energy(),
                    best_energy: replica.best_energy(),
                    acceptance: if valid == 0 { 0.0 } else { c.accepted as f64 / valid as f64 },
                    recent_acceptance: replica.recent_acceptance(),
                    walker,
                }
            })
            .collect();
        TemperingReport {
            replicas,
            rounds: self.rounds,
            swaps: self.swapped.clone(),
            exchange_rates: self
                .tried
                .iter()
                .zip(&self.swapped)
                .map(|(&t, &s)| if t == 0 { 0.0 } else { s as f64 / t as f64 })
                .collect(),
            last_swaps: self.last_swaps.clone(),
            round_trips: self.round_trips,
            exchange_interval: self.interval,
        }
    }

    /// Move counters summed over all replicas.
    pub fn counters(&self) -> Counters {
        let mut sum = Counters::default();
        for replica in &self.replicas {
            let c = replica.counters();
            sum.accepted += c.accepted;
            sum.rejected += c.rejected;
            sum.invalid += c.invalid;
            for (s, n) in sum.invalid_by_kind.iter_mut().zip(c.invalid_by_kind) {
                *s += n;
            }
            sum.improvements += c.improvements;
        }
        sum
    }

    /// The coldest replica: its state is the one to show, and after every round its
    /// best is the best of all.
    pub fn coldest(&self) -> &Annealer<P> {
        &self.replicas[0]
    }

    /// The replicas, coldest first.
    pub fn replicas(&self) -> &[Annealer<P>] {
        &self.replicas
    }

    /// The ladder, coldest first.
    pub fn temperatures(&self) -> &[f64] {
        &self.temperatures
    }

    /// Best energy over all replicas.
    pub fn best_energy(&self) -> f64 {
        self.best_replica().best_energy()
    }

    /// The best state over all replicas.
    pub fn best_state(&self) -> &P::State {
        self.best_replica().best_state()
    }

    /// Changes exactly when the coldest replica's state may have changed (a move it
    /// accepted, or an exchange it took part in), for redrawing only then.
    pub fn coldest_changes(&self) -> u64 {
        self.coldest().counters().accepted + self.swapped[0]
    }

    /// Steps every replica has done.
    pub fn steps_done(&self) -> u64 {
        self.step
    }

    /// Steps in the run (per replica).
    pub fn total_steps(&self) -> u64 {
        self.total_steps
    }

    /// All steps done.
    pub fn is_complete(&self) -> bool {
        self.step >= self.total_steps
    }

    /// The run's config (with its `tempering` settings).
    pub fn config(&self) -> &AnnealConfig {
        &self.config
    }

    /// Exchange rounds done.
    pub fn rounds(&self) -> u64 {
        self.rounds
    }

    /// Whether the last step done ended with an exchange round.
    pub fn round_done(&self) -> bool {
        self.step > 0 && self.step.is_multiple_of(self.interval)
    }

    /// The swaps tried in the latest exchange round, in the order tried.
    pub fn last_tries(&self) -> &[SwapTry] {
        &self.last_tries
    }
}

/// Every configuration starts where it is; the one at the coldest temperature is on
/// its way up.
fn initial_headings(n: usize) -> Vec<Heading> {
    let mut heading = vec![Heading::Unknown; n];
    heading[0] = Heading::Up;
    heading
}

/// A pool of `threads` workers (0: one per core); one thread if threads cannot be made
/// (the trajectory is the same).
fn make_pool(threads: usize) -> Arc<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("kiln-replica-{i}"))
        .build()
        .map(Arc::new)
        .unwrap_or_else(|_| {
            Arc::new(rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("one thread"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_geometric_ladder_has_exact_ends_and_a_constant_ratio() {
        let t = ladder(0.5, 4.0, 4);
        assert_eq!((t[0], t[3]), (0.5, 4.0));
        // 0.5 * 2^k: ratio 2 exactly, up to rounding.
        for (i, expected) in [1.0, 2.0].iter().enumerate() {
            assert!((t[i + 1] - expected).abs() < 1e-12, "{t:?}");
        }
    }

    /// With every energy equal, every swap is taken (the exponent is 0), and the
    /// alternating rounds carry configurations up and down the ladder one rung a
    /// round, like a conveyor: each passes every inner temperature once on its way up
    /// and once on its way down, so an inner temperature holds a down-going one half
    /// the time, the coldest never and the hottest always (past the first lap).
    #[test]
    fn free_flow_holds_down_going_configurations_half_the_time_inside_the_ladder() {
        use crate::problems::magnet::Magnet;
        let magnet = Magnet::parse_graph("6 0\n").expect("a graph without couplings");
        let n = 5;
        let config = AnnealConfig {
            schedule: ScheduleKind::Geometric,
            initial_temp: 2.0,
            final_temp: Some(0.5),
            steps_per_cycle: 20_000,
            cycles: 1,
            tempering: Some(TemperingConfig { replicas: n, exchange_interval: 1, ladder: Ladder::Geometric }),
            ..AnnealConfig::default()
        };
        let mut pt = Tempering::new(magnet, config).expect("valid");
        pt.run(u64::MAX);
        assert!(pt.report().exchange_rates.iter().all(|&r| r == 1.0));
        let f = pt.down_fractions();
        assert_eq!((f[0], f[n as usize - 1]), (0.0, 1.0), "{f:?}");
        for &inner in &f[1..n as usize - 1] {
            assert!((inner - 0.5).abs() < 1e-3, "{f:?}");
        }
        // A lap (up and down) takes 2 n rounds: 2 (n - 1) rungs and a round's wait at
        // each end, whose rung the next round's pairs leave out; n configurations ride.
        let laps = 20_000.0 / (2.0 * n as f64) * n as f64;
        assert!((pt.report().round_trips as f64 - laps).abs() <= n as f64, "{}", pt.report().round_trips);
    }

    #[test]
    fn replica_and_exchange_seeds_differ_from_each_other_and_across_seeds() {
        let mut seen: Vec<u64> = (0..64).map(|i| replica_seed(7, i)).collect();
        seen.push(exchange_seed(7));
        seen.extend((0..64).map(|i| replica_seed(8, i)));
        let n = seen.len();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), n);
    }
}
