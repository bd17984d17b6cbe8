//! The speculative-batch half of the [`Annealer`]: K candidate steps scored in parallel.
//!
//! Step `t + j`'s proposal, delta and Metropolis test against the *current* state do not
//! depend on steps `t..t+j` as long as those are all rejected. So a round scores K
//! candidates in parallel, workers claiming step numbers in increasing order from an
//! atomic counter, and the first accepted one ends the round: steps before it are
//! recorded as rejected or invalid, it is applied, and candidates after it are dropped
//! (their step words stay buffered, as they are keyed by step, not by state). The result
//! equals K = 1 bit for bit, and at most `threads - 1` candidates of work are wasted per
//! acceptance.
//!
//! `Batch::Auto` ([`Annealer::run_auto`]) times a short sequential probe now and then and
//! picks the K with the best expected steps per second given the recent acceptance rate,
//! the cost of one candidate and the measured cost of one parallel round
//! ([`AutoBatch::choose`]). Timing only affects speed, never the trajectory.
//!
//! A child module of `annealer`, so it works on the annealer's own fields; the
//! sequential step and the bookkeeping stay in the parent.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use super::Annealer;
use crate::acceptance::metropolis;
use crate::problem::{InvalidKind, Problem, Proposal};
use crate::rng::StepRng;

/// One scored candidate of a speculative round.
pub(super) enum Candidate<M> {
    Invalid(InvalidKind),
    Move { mv: M, delta: f64, accepted: bool },
}

/// Sequential steps timed before each automatic batch decision.
const AUTO_PROBE_STEPS: u64 = 64;
/// Steps run on one automatic decision before the next probe.
const AUTO_SEGMENT_STEPS: u64 = 4096;
/// Speed-up over sequential steps below which the automatic choice stays at K = 1.
const AUTO_MIN_GAIN: f64 = 1.1;
/// Busy work per task when measuring the cost of a parallel round, in nanoseconds.
const ROUND_PROBE_WORK_NS: u128 = 2_000;
/// Candidate batch sizes the automatic choice considers.
const AUTO_SIZES: [u32; 6] = [2, 4, 8, 16, 32, 64];

/// Automatic batch sizing state: measured costs, in nanoseconds.
#[derive(Clone, Copy, Debug)]
pub(super) struct AutoBatch {
    /// Cost of one sequential step.
    pub(super) step_ns: f64,
    /// Fixed cost of one parallel round (measured when the pool is made).
    pub(super) round_ns: f64,
}

impl AutoBatch {
    /// The batch size with the best expected steps per second.
    ///
    /// With per-step acceptance `a`, a round of K advances `(1 - (1-a)^K) / a` steps
    /// on average and, since workers claim steps in order, does at most
    /// `threads - 1` candidates of wasted work beyond that.
    pub(super) fn choose(&self, a: f64, threads: usize) -> u32 {
        if threads < 2 {
            return 1;
        }
        let p = threads as f64;
        let c = self.step_ns.max(1.0);
        let rate = |k: u32| {
            let kf = f64::from(k);
            let advance = if a < 1e-9 { kf } else { (1.0 - (1.0 - a).powf(kf)) / a };
            let work = (advance + p - 1.0).min(kf);
            advance / ((work / p).ceil() * c + self.round_ns)
        };
        let best = AUTO_SIZES.iter().map(|&k| rate(k)).fold(0.0, f64::max);
        // Threads are worth it only for a clear gain; among near-equal sizes the largest
        // wins, since it pays the round overhead least often.
        if best < AUTO_MIN_GAIN / c {
            return 1;
        }
        AUTO_SIZES.iter().rev().copied().find(|&k| rate(k) >= 0.98 * best).unwrap_or(1)
    }
}

/// How an automatic run loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum AutoExit {
    /// Reached its end step.
    Done,
    /// Stopped early: it chose a batch above 1 and is not running inside a pool.
    NeedsPool,
}

impl<P: Problem> Annealer<P> {
    /// Automatic batching until `end`. Outside the pool it stops when it first wants one.
    pub(super) fn run_auto(
        &mut self,
        end: u64,
        in_pool: bool,
        on_accept: &mut (impl FnMut(&P::State) + Send),
    ) -> AutoExit {
        let threads = if in_pool { rayon::current_num_threads() } else { self.planned_threads() };
        while self.step < end {
            let probe_end = (self.step + AUTO_PROBE_STEPS).min(end);
            let probe_steps = probe_end - self.step;
            let started = Instant::now();
            while self.step < probe_end {
                self.advance(on_accept, Self::NO_OBSERVER);
            }
            if probe_steps > 0 {
                self.auto.step_ns = started.elapsed().as_nanos() as f64 / probe_steps as f64;
            }
            let segment_end = (self.step + AUTO_SEGMENT_STEPS).min(end);
            let k = self.auto.choose(self.window.acceptance_per_step(), threads);
            if k == 1 {
                self.run_sequential(segment_end, on_accept);
            } else if !in_pool {
                return AutoExit::NeedsPool;
            } else {
                while self.step < segment_end {
                    let k = (k as u64).min(segment_end - self.step) as usize;
                    self.speculative_round(k, on_accept);
                }
            }
        }
        AutoExit::Done
    }

    pub(super) fn planned_threads(&self) -> usize {
        match self.config.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }

    /// The engine's own pool, made on first use.
    pub(super) fn pool(&mut self) -> Arc<rayon::ThreadPool> {
        if let Some(pool) = &self.pool {
            return pool.clone();
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.planned_threads())
            .thread_name(|i| format!("kiln-engine-{i}"))
            .build()
            .map(Arc::new)
            .unwrap_or_else(|_| {
                // Thread creation failed: a single-thread pool still computes the same trajectory.
                Arc::new(rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("one thread"))
            });
        self.pool = Some(pool.clone());
        self.measure_round_cost();
        pool
    }

    /// Median overhead of a parallel round in the pool, for the auto batch choice.
    ///
    /// Each probe round gives every worker a short busy task, so the round really wakes
    /// them all (an empty round would finish on the calling thread and measure nothing);
    /// the overhead is the round's time less that task's.
    pub(super) fn measure_round_cost(&mut self) {
        let Some(pool) = self.pool.clone() else { return };
        let mut samples: Vec<f64> = pool.install(|| {
            let threads = rayon::current_num_threads();
            (0..15)
                .map(|_| {
                    let started = Instant::now();
                    (0..threads).into_par_iter().for_each(|_| {
                        let task = Instant::now();
                        while task.elapsed().as_nanos() < ROUND_PROBE_WORK_NS {
                            std::hint::spin_loop();
                        }
                    });
                    started.elapsed().as_nanos().saturating_sub(ROUND_PROBE_WORK_NS) as f64
                })
                .collect()
        });
        samples.sort_by(f64::total_cmp);
        self.auto.round_ns = samples[samples.len() / 2].max(1_000.0);
    }

    /// Score `k` candidates (steps `step..step+k`) in parallel, then walk them in order.
    /// Must run inside the pool.
    pub(super) fn speculative_round(&mut self, k: usize, on_accept: &mut (impl FnMut(&P::State) + Send)) {
        while self.pending.len() < k {
            let w = self.stream.next_step_sized(P::WORDS_PER_STEP);
            self.pending.push_back(w);
        }
        self.parallel_rounds += 1;
        let first_step = self.step;
        let next = AtomicUsize::new(0);
        let first_accepted = AtomicUsize::new(usize::MAX);
        {
            let words = &self.pending.make_contiguous()[..k];
            let (problem, state, slots, schedule) = (&self.problem, &self.state, &self.slots, &self.schedule);
            let (seed, sign) = (self.config.seed, self.sign);
            let workers = rayon::current_num_threads().min(k);
            (0..workers).into_par_iter().for_each(|_| {
                loop {
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    if j >= k || j > first_accepted.load(Ordering::Acquire) {
                        break;
                    }
                    let t = first_step + j as u64;
                    let mut rng = StepRng::new(seed, t, &words[j]);
                    let candidate = match problem.propose(state, &mut rng) {
                        Proposal::Invalid(kind) => Candidate::Invalid(kind),
                        Proposal::Move(mv) => {
                            let delta = sign * problem.delta(state, &mv);
                            let accepted =
                                metropolis(delta, || schedule.temperature(t), || words[j].uniform());
                            if accepted {
                                first_accepted.fetch_min(j, Ordering::AcqRel);
                            }
                            Candidate::Move { mv, delta, accepted }
                        }
                    };
                    *slots[j].lock().unwrap_or_else(|e| e.into_inner()) = Some(candidate);
                }
            });
        }
        let stop = first_accepted.into_inner();
        let last = if stop == usize::MAX { k - 1 } else { stop };
        for j in 0..k {
            let candidate = self.slots[j].get_mut().unwrap_or_else(|e| e.into_inner()).take();
            if j > last {
                continue; // speculative work past the accepted step: dropped
            }
            self.pending.pop_front();
            match candidate.expect("every step up to the first accepted one is scored") {
                Candidate::Invalid(kind) => {
                    self.record_invalid(kind);
                }
                Candidate::Move { mv, delta, accepted: true } => {
                    self.record_accepted(&mv, delta);
                    on_accept(&self.state);
                }
                Candidate::Move { delta, .. } => {
                    self.record_rejected(delta);
                }
            }
            self.step += 1;
        }
    }
}
