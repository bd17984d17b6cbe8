//! The schedule's temperature curve over the whole run, for the page's chart (issue
//! 22: the class sees where the cooling goes, not only the temperatures of the
//! events received so far, and sees it exactly, with no sampling artefacts).
//!
//! Every schedule repeats one cycle, and within a cycle each schedule is a few pieces
//! that are either straight (Faulon's descent and floor, linear, constant) or
//! exponential (geometric, which `auto` also is): so one cycle is exactly a handful of
//! points with an interpolation rule, `"linear"` (straight between points) or `"log"`
//! (straight in log T, i.e. exponential, between points). The page repeats the cycle
//! `cycles` times and draws it; no temperature is sampled.
//!
//! A point `[step, T]` places the temperature of the step whose number, counted
//! from 1, is `step`: the x of a progress event whose `step` steps are done and whose
//! `temperature` is that of its last step. Within a cycle `step` runs from 1 to
//! `steps_per_cycle`; cycle `c` (0-based) adds `c * steps_per_cycle`.
//!
//! Replica exchange has no one temperature per step: it has no curve.

use kiln_engine::schedule::FAULON_FLOOR_FRACTION;
use kiln_engine::{AnnealConfig, ScheduleKind};
use serde::Serialize;

/// One cycle of the schedule and how many times it repeats.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScheduleCurve {
    /// The schedule's name (`faulon`, `geometric`, ...).
    pub schedule: &'static str,
    /// Steps in one cycle.
    pub steps_per_cycle: u64,
    /// Cycles in the run.
    pub cycles: u64,
    /// `"linear"` or `"log"`: how T goes between two points.
    pub interpolation: &'static str,
    /// One cycle's corners, `[step within the cycle from 1, T]`, first and last included.
    pub points: Vec<[f64; 2]>,
}

/// The curve of a run configured with `config` whose schedule resolved to
/// `temperatures` (T0 and the cycle's final or floor temperature, `auto`'s as
/// estimated); `None` for a run with no one schedule (replica exchange).
pub fn schedule_curve(config: &AnnealConfig, temperatures: Option<(f64, f64)>) -> Option<ScheduleCurve> {
    if config.tempering.is_some() {
        return None;
    }
    let (t0, t1) = temperatures?;
    let dt = config.steps_per_cycle.max(1);
    let last = dt as f64;
    let (interpolation, points) = match config.schedule {
        ScheduleKind::Faulon => {
            // T(pos) = max(T0 - k T0 pos / dt, floor), pos = step - 1: straight down to
            // the floor, then flat.
            let floor = t0 * FAULON_FLOOR_FRACTION;
            let at = |pos: f64| (t0 - config.k * t0 * pos / dt as f64).max(floor);
            let floor_pos =
                if config.k > 0.0 { (t0 - floor) * dt as f64 / (config.k * t0) } else { f64::INFINITY };
            let mut points = vec![[1.0, t0]];
            if floor_pos < (dt - 1) as f64 {
                points.push([floor_pos + 1.0, floor]);
            }
            points.push([last, at((dt - 1) as f64)]);
            ("linear", points)
        }
        ScheduleKind::Geometric | ScheduleKind::Auto => ("log", vec![[1.0, t0], [last, t1]]),
        ScheduleKind::Linear => ("linear", vec![[1.0, t0], [last, t1]]),
        ScheduleKind::Constant => ("linear", vec![[1.0, t0], [last, t0]]),
    };
    Some(ScheduleCurve {
        schedule: config.schedule.name(),
        steps_per_cycle: dt,
        cycles: config.cycles,
        interpolation,
        points: if dt == 1 { vec![[1.0, t0]] } else { points },
    })
}

#[cfg(test)]
mod tests {
    use kiln_engine::Schedule;

    use super::*;

    /// The temperature the curve gives at step `step` (from 1), as the page computes it.
    fn at(curve: &ScheduleCurve, step: u64) -> f64 {
        let s = ((step - 1) % curve.steps_per_cycle + 1) as f64;
        let p = &curve.points;
        let i = p.iter().rposition(|q| q[0] <= s).unwrap();
        if i + 1 == p.len() {
            return p[i][1];
        }
        let f = (s - p[i][0]) / (p[i + 1][0] - p[i][0]);
        match curve.interpolation {
            "log" => (p[i][1].ln() + f * (p[i + 1][1].ln() - p[i][1].ln())).exp(),
            _ => p[i][1] + f * (p[i + 1][1] - p[i][1]),
        }
    }

    fn config(schedule: ScheduleKind, k: f64, dt: u64, cycles: u64) -> AnnealConfig {
        AnnealConfig {
            schedule,
            initial_temp: 100.0,
            final_temp: Some(0.5),
            k,
            steps_per_cycle: dt,
            cycles,
            ..AnnealConfig::default()
        }
    }

    #[test]
    fn the_curve_is_the_engines_schedule_at_every_step() {
        let cases = [
            (config(ScheduleKind::Faulon, 8.0, 500, 3), Schedule::faulon(100.0, 8.0, 500), (100.0, 0.1)),
            (config(ScheduleKind::Faulon, 0.5, 500, 2), Schedule::faulon(100.0, 0.5, 500), (100.0, 0.1)),
            (
                config(ScheduleKind::Geometric, 0.0, 777, 2),
                Schedule::geometric(100.0, 0.5, 777),
                (100.0, 0.5),
            ),
            (config(ScheduleKind::Linear, 0.0, 300, 4), Schedule::linear(100.0, 0.5, 300), (100.0, 0.5)),
            (config(ScheduleKind::Constant, 0.0, 50, 1), Schedule::constant(100.0, 50), (100.0, 100.0)),
        ];
        for (config, schedule, temperatures) in cases {
            let curve = schedule_curve(&config, Some(temperatures)).unwrap();
            for t in 0..config.steps_per_cycle * config.cycles {
                let (want, got) = (schedule.temperature(t), at(&curve, t + 1));
                assert!((want - got).abs() <= 1e-9 * want, "{config:?} step {t}: {want} vs {got}");
            }
        }
    }

    #[test]
    fn replica_exchange_has_no_curve() {
        let mut tempered = config(ScheduleKind::Geometric, 0.0, 100, 1);
        tempered.tempering = Some(Default::default());
        assert_eq!(schedule_curve(&tempered, Some((1.0, 0.1))), None);
    }
}
