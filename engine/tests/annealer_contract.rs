//! The annealer's contract, on the synthetic `Ruggedness` problem: determinism across
//! batch sizes and thread counts, exact incremental energy, counting, reset. The toy
//! declares 4 random words per step (not the default 8), so these tests also hold the
//! engine to a problem-defined step size.

use kiln_engine::problems::toy::Ruggedness;
use kiln_engine::replay::{first_divergence, record_checkpoints};
use kiln_engine::{AnnealConfig, Annealer, Batch, Checkpoint, Direction, Problem, ScheduleKind, StepOutcome};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn config(batch: Batch, threads: usize) -> AnnealConfig {
    AnnealConfig {
        seed: 7,
        schedule: ScheduleKind::Geometric,
        initial_temp: 40.0,
        final_temp: Some(0.5),
        steps_per_cycle: 20_000,
        cycles: 2,
        batch,
        threads,
        ..AnnealConfig::default()
    }
}

fn checkpoints(work: u32, batch: Batch, threads: usize) -> Vec<Checkpoint> {
    checkpoints_and_rounds(work, batch, threads).0
}

fn checkpoints_and_rounds(work: u32, batch: Batch, threads: usize) -> (Vec<Checkpoint>, u64) {
    let mut sa = Annealer::new(Ruggedness::new(200, work), config(batch, threads)).unwrap();
    (record_checkpoints(&mut sa, 2_500, |_| {}), sa.parallel_rounds())
}

#[test]
fn checkpoints_are_identical_across_runs_batches_and_threads() {
    let reference = checkpoints(0, Batch::Fixed(1), 1);
    assert_eq!(reference.len(), 1 + 40_000 / 2_500);
    for (batch, threads) in [
        (Batch::Fixed(1), 1),
        (Batch::Fixed(8), 1),
        (Batch::Fixed(8), 2),
        (Batch::Fixed(64), 2),
        (Batch::Auto, 1),
        (Batch::Auto, 2),
    ] {
        let other = checkpoints(0, batch, threads);
        assert_eq!(first_divergence(&reference, &other), None, "{batch:?} on {threads} threads");
    }
}

#[test]
fn a_constant_schedule_gives_the_same_trajectory_sequentially_and_in_batches() {
    // Sequential steps read a constant schedule's temperature from the annealer; a
    // speculative round asks the schedule for each step's.
    let run = |batch, threads| {
        let config =
            AnnealConfig { schedule: ScheduleKind::Constant, initial_temp: 5.0, ..config(batch, threads) };
        let mut sa = Annealer::new(Ruggedness::new(200, 0), config).unwrap();
        let checkpoints = record_checkpoints(&mut sa, 2_500, |_| {});
        (checkpoints, sa.counters().accepted)
    };
    let (reference, accepted) = run(Batch::Fixed(1), 1);
    assert!(accepted > 0 && accepted < 40_000, "accepted {accepted} of 40000");
    for (batch, threads) in [(Batch::Fixed(8), 2), (Batch::Fixed(64), 2)] {
        assert_eq!(
            first_divergence(&reference, &run(batch, threads).0),
            None,
            "{batch:?} on {threads} threads"
        );
    }
}

#[test]
fn auto_batch_on_an_expensive_delta_still_matches_sequential() {
    // Expensive enough that the automatic choice goes parallel on 2 threads.
    let (reference, sequential_rounds) = checkpoints_and_rounds(3_000, Batch::Fixed(1), 1);
    let (auto, auto_rounds) = checkpoints_and_rounds(3_000, Batch::Auto, 2);
    assert_eq!(sequential_rounds, 0, "batch 1 never touches rayon");
    assert!(auto_rounds > 0, "the automatic batch should have gone parallel on an expensive delta");
    assert_eq!(first_divergence(&reference, &auto), None);
}

#[test]
fn incremental_energy_equals_recomputed_energy() {
    for batch in [Batch::Fixed(1), Batch::Fixed(16)] {
        let mut sa = Annealer::new(Ruggedness::new(300, 0), config(batch, 2)).unwrap();
        while !sa.is_complete() {
            sa.run(7_777);
            assert_eq!(sa.current_energy(), sa.recomputed_energy(), "{batch:?} at step {}", sa.steps_done());
        }
        let best = sa.best_energy();
        assert!(best <= sa.current_energy());
        assert_eq!(best, Problem::energy(sa.problem(), sa.best_state()));
    }
}

#[test]
fn stepping_one_at_a_time_equals_running_in_bulk() {
    let mut a = Annealer::new(Ruggedness::new(50, 0), config(Batch::Fixed(1), 1)).unwrap();
    let mut b = Annealer::new(Ruggedness::new(50, 0), config(Batch::Fixed(4), 2)).unwrap();
    let mut outcomes = [0u64; 3];
    for _ in 0..5_000 {
        match a.step().expect("not complete") {
            StepOutcome::Accepted { .. } => outcomes[0] += 1,
            StepOutcome::Rejected { .. } => outcomes[1] += 1,
            StepOutcome::Invalid(_) => outcomes[2] += 1,
        }
    }
    b.run(5_000);
    assert_eq!(a.checkpoint(), b.checkpoint());
    let s = b.snapshot();
    assert_eq!([s.accepted_moves, s.rejected_moves, s.invalid_moves], outcomes);
    assert_eq!(s.invalid_by_kind, vec![("frozen".to_string(), outcomes[2])]);
    assert!(outcomes.iter().all(|&n| n > 0), "{outcomes:?}");
}

#[test]
fn reset_returns_to_step_zero_and_replays_the_same_trajectory() {
    let mut sa = Annealer::new(Ruggedness::new(80, 0), config(Batch::Auto, 2)).unwrap();
    let start = sa.checkpoint();
    sa.run(3_000);
    let after = sa.checkpoint();
    sa.reset();
    assert_eq!(sa.checkpoint(), start);
    assert_eq!(sa.snapshot().accepted_moves, 0);
    sa.run(3_000);
    assert_eq!(sa.checkpoint(), after);
}

#[test]
fn a_run_stops_at_its_total_and_reports_complete() {
    let mut sa = Annealer::new(
        Ruggedness::new(20, 0),
        AnnealConfig { steps_per_cycle: 10, cycles: 3, ..config(Batch::Fixed(8), 2) },
    )
    .unwrap();
    assert_eq!(sa.run(1_000), 30);
    assert!(sa.is_complete());
    assert_eq!(sa.step(), None);
    let s = sa.snapshot();
    assert_eq!((s.step, s.cycle, s.is_complete), (30, 3, true));
}

#[test]
fn maximising_finds_higher_energy_than_the_start() {
    let cfg = AnnealConfig { direction: Direction::Maximize, ..config(Batch::Fixed(1), 1) };
    let mut sa = Annealer::new(Ruggedness::new(100, 0), cfg).unwrap();
    let start = sa.current_energy();
    sa.run(u64::MAX);
    assert!(sa.best_energy() > start);
    assert!(sa.best_energy() >= sa.current_energy());
}

#[test]
fn auto_schedule_is_deterministic_and_cools() {
    let cfg = AnnealConfig { schedule: ScheduleKind::Auto, ..config(Batch::Fixed(1), 1) };
    let a = Annealer::new(Ruggedness::new(100, 0), cfg.clone()).unwrap();
    let b = Annealer::new(Ruggedness::new(100, 0), cfg).unwrap();
    assert_eq!(a.schedule(), b.schedule());
    assert!(a.schedule().initial_temp() > a.schedule().final_temp());
    assert!(a.schedule().final_temp() > 0.0);
}

#[test]
fn a_toy_step_draws_its_own_four_words_of_the_seeds_chacha_stream() {
    // The oracle is written out here: plain sequential ChaCha8 (4 words a step: site,
    // level, then the uniform's high and low words), Lemire's multiply-shift for the
    // draws, the energy recomputed from scratch and the Metropolis rule as printed.
    const N: usize = 40;
    const T: f64 = 30.0;
    let problem = Ruggedness::new(N, 0);
    let cfg = AnnealConfig {
        seed: 11,
        schedule: ScheduleKind::Constant,
        initial_temp: T,
        steps_per_cycle: 5_000,
        cycles: 1,
        ..config(Batch::Fixed(1), 1)
    };
    let mut sa = Annealer::new(problem.clone(), cfg).unwrap();
    let mut chacha = ChaCha8Rng::seed_from_u64(11);
    let mut state = problem.initial_state();
    let (mut uphill_accepted, mut uphill_rejected) = (0, 0);
    for t in 0..5_000 {
        let w: [u32; 4] = std::array::from_fn(|_| chacha.next_u32());
        let site = ((u64::from(w[0]) * N as u64) >> 32) as usize;
        let outcome = sa.step().expect("not complete");
        if site == 0 {
            assert!(matches!(outcome, StepOutcome::Invalid(_)), "step {t}: {outcome:?}");
            continue;
        }
        let mut level = ((u64::from(w[1]) * 15) >> 32) as u8;
        if level >= state[site] {
            level += 1;
        }
        let mut next = state.clone();
        next[site] = level;
        let delta = problem.energy(&next) - problem.energy(&state);
        let u = ((((u64::from(w[2])) << 32) | u64::from(w[3])) >> 11) as f64 / (1u64 << 53) as f64;
        if delta <= 0.0 || u < (-delta / T).exp() {
            state = next;
            uphill_accepted += u64::from(delta > 0.0);
        } else {
            uphill_rejected += 1;
        }
        assert_eq!(sa.state(), &state, "step {t}");
    }
    assert!(uphill_accepted > 50 && uphill_rejected > 50, "{uphill_accepted} / {uphill_rejected}");
}

#[test]
fn observing_every_step_leaves_the_trajectory_unchanged() {
    for direction in [Direction::Minimize, Direction::Maximize] {
        let cfg = AnnealConfig { direction, ..config(Batch::Fixed(1), 1) };
        let mut watched = Annealer::new(Ruggedness::new(60, 0), cfg.clone()).unwrap();
        let mut plain =
            Annealer::new(Ruggedness::new(60, 0), AnnealConfig { batch: Batch::Auto, ..cfg }).unwrap();
        let mut views = 0u64;
        for t in 0..6_000 {
            let outcome = watched.step_observed(|_| views += 1);
            assert_eq!(outcome, plain.step(), "{direction:?} step {t}");
            if t % 1_000 == 999 {
                assert_eq!(watched.checkpoint(), plain.checkpoint(), "{direction:?} step {t}");
            }
        }
        assert_eq!(views, 6_000);
        assert_eq!(watched.snapshot(), plain.snapshot());
    }
}

#[test]
fn an_observed_step_shows_its_number_temperature_draw_probability_and_verdict() {
    use kiln_engine::{Proposal, Verdict};
    const N: usize = 40;
    for direction in [Direction::Minimize, Direction::Maximize] {
        let cfg = AnnealConfig {
            seed: 11,
            steps_per_cycle: 3_000,
            cycles: 1,
            direction,
            ..config(Batch::Fixed(1), 1)
        };
        let mut sa = Annealer::new(Ruggedness::new(N, 0), cfg).unwrap();
        // Oracle for u: the step's last two words of plain sequential ChaCha8, 4 a step.
        let mut chacha = ChaCha8Rng::seed_from_u64(11);
        let mut seen = [0u64; 4];
        for t in 0..3_000u64 {
            let w: [u32; 4] = std::array::from_fn(|_| chacha.next_u32());
            let u = ((((u64::from(w[2])) << 32) | u64::from(w[3])) >> 11) as f64 / (1u64 << 53) as f64;
            let before = sa.state().clone();
            let expected_t = sa.schedule().temperature(t);
            let mut shown = None;
            let outcome = sa
                .step_observed(|v| {
                    assert_eq!(v.step, t);
                    assert_eq!(v.temperature.to_bits(), expected_t.to_bits(), "step {t}");
                    assert_eq!(v.uniform.to_bits(), u.to_bits(), "step {t}");
                    assert_eq!(v.state_before, &before);
                    shown = Some((v.verdict, v.delta, v.p_accept, matches!(v.proposal, Proposal::Move(_))));
                })
                .unwrap();
            let (verdict, delta, p_accept, is_move) = shown.expect("the observer ran");
            match outcome {
                StepOutcome::Invalid(kind) => {
                    assert_eq!(
                        (verdict, delta, p_accept, is_move),
                        (Verdict::Invalid(kind), None, None, false)
                    );
                    seen[0] += 1;
                }
                StepOutcome::Accepted { delta: d, .. } | StepOutcome::Rejected { delta: d } => {
                    assert!(is_move);
                    assert_eq!(delta, Some(d));
                    let cost = if direction == Direction::Minimize { d } else { -d };
                    let p = p_accept.unwrap();
                    assert_eq!(p.to_bits(), (-cost / expected_t).exp().min(1.0).to_bits(), "step {t}");
                    let accepted = matches!(outcome, StepOutcome::Accepted { .. });
                    assert_eq!(verdict, if accepted { Verdict::Accepted } else { Verdict::Rejected });
                    assert_eq!(accepted, cost <= 0.0 || u < p, "step {t}: the verdict follows u < p_accept");
                    seen[1 + usize::from(accepted) + usize::from(accepted && cost > 0.0)] += 1;
                }
            }
        }
        // Invalid, rejected, accepted downhill, accepted uphill: all four kinds were shown.
        assert!(seen.iter().all(|&n| n > 10), "{direction:?}: {seen:?}");
    }
}

#[test]
fn a_complete_run_shows_no_more_steps() {
    let cfg = AnnealConfig { steps_per_cycle: 5, cycles: 1, ..config(Batch::Fixed(1), 1) };
    let mut sa = Annealer::new(Ruggedness::new(10, 0), cfg).unwrap();
    sa.run(5);
    let mut called = false;
    assert_eq!(sa.step_observed(|_| called = true), None);
    assert!(!called);
}
