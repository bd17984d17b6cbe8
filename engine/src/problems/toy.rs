//! `Ruggedness`: a small synthetic landscape for testing and benchmarking the engine.
//!
//! A ring of `n` sites, each holding a level 0..16. The energy is a fixed
//! pseudo-random field per (site, level) plus a coupling between neighbours, which
//! makes a rugged landscape with many local minima. A move sets one site to a new
//! level. Proposals that pick site 0 are `frozen` (a named invalid kind), so invalid
//! counting is exercised too. A step owns 4 random words, not the default 8, so the
//! engine's contract is also tested for a problem that declares its own step size.
//! `work` adds that many rounds of hashing to every `delta`, to stand in for an
//! expensive objective when measuring parallel scoring.

use crate::problem::{InvalidKind, Problem, Proposal};
use crate::rng::StepRng;

const LEVELS: u32 = 16;

/// The synthetic problem.
#[derive(Clone, Debug)]
pub struct Ruggedness {
    field: Vec<i64>,
    n: usize,
    work: u32,
    start: Option<Vec<u8>>,
}

/// Set `site` to `level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetLevel {
    site: usize,
    level: u8,
}

fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

impl Ruggedness {
    /// `n` sites (at least 3) and `work` extra hashing rounds per delta.
    pub fn new(n: usize, work: u32) -> Self {
        let n = n.max(3);
        let field = (0..n * LEVELS as usize).map(|i| (mix(i as u64) % 100) as i64).collect();
        Self { field, n, work, start: None }
    }

    /// The same landscape starting from `start` (levels clamped to 0..16, length fitted to
    /// the ring): benchmarks use it to start at a local minimum, where acceptance is low.
    pub fn starting_at(mut self, start: &[u8]) -> Self {
        let mut levels = vec![0; self.n];
        for (slot, &level) in levels.iter_mut().zip(start) {
            *slot = level.min(LEVELS as u8 - 1);
        }
        self.start = Some(levels);
        self
    }

    /// The same landscape with `work` hashing rounds per delta.
    pub fn with_work(mut self, work: u32) -> Self {
        self.work = work;
        self
    }

    fn site_energy(&self, state: &[u8], site: usize, level: u8) -> i64 {
        let left = state[(site + self.n - 1) % self.n];
        let right = state[(site + 1) % self.n];
        let coupling = |other: u8| (i64::from(level) - i64::from(other)).abs() * 3;
        self.field[site * LEVELS as usize + level as usize] + coupling(left) + coupling(right)
    }
}

impl Problem for Ruggedness {
    type State = Vec<u8>;
    type Move = SetLevel;

    /// Two proposal words (site, level) and the uniform: the toy exercises a step
    /// size other than the default.
    const WORDS_PER_STEP: usize = 4;

    fn initial_state(&self) -> Vec<u8> {
        self.start.clone().unwrap_or_else(|| vec![0; self.n])
    }

    fn propose(&self, state: &Vec<u8>, rng: &mut StepRng) -> Proposal<SetLevel> {
        let site = rng.index(self.n);
        if site == 0 {
            return Proposal::Invalid(InvalidKind(1));
        }
        let mut level = rng.below(LEVELS - 1) as u8;
        if level >= state[site] {
            level += 1; // any level but the current one
        }
        Proposal::Move(SetLevel { site, level })
    }

    fn delta(&self, state: &Vec<u8>, mv: &SetLevel) -> f64 {
        let mut h = mv.site as u64;
        for _ in 0..self.work {
            h = mix(h);
        }
        std::hint::black_box(h);
        // Each of the site's two couplings is counted once here; the field term once.
        let before = self.site_energy(state, mv.site, state[mv.site]);
        let after = self.site_energy(state, mv.site, mv.level);
        (after - before) as f64
    }

    fn apply(&self, state: &mut Vec<u8>, mv: &SetLevel) {
        state[mv.site] = mv.level;
    }

    fn energy(&self, state: &Vec<u8>) -> f64 {
        let field: i64 = (0..self.n).map(|i| self.field[i * LEVELS as usize + state[i] as usize]).sum();
        let coupling: i64 =
            (0..self.n).map(|i| (i64::from(state[i]) - i64::from(state[(i + 1) % self.n])).abs() * 3).sum();
        (field + coupling) as f64
    }

    fn invalid_kinds(&self) -> &'static [&'static str] {
        &["frozen"]
    }
}
