//! `RunTrace`: a run's numbers from step 0, kept by the server so a page that
//! loads, reloads or joins late can draw the whole run (`GET /api/sa/{id}/trace`),
//! however short the event history it can replay.
//!
//! Memory is bounded: at most [`TRACE_POINTS`] points of five numbers each (about
//! 40 bytes apiece, so a few hundred kilobytes at most, whatever the run's length).
//! When the trace is full, every other point is dropped (step 0 always stays) and
//! from then on only every `stride`-th frame is kept, the stride doubling each time;
//! the newest frame is always kept too, so the trace ends where the run is.

use serde::Serialize;

use crate::kinds::Progress;

/// Most points a trace keeps.
pub const TRACE_POINTS: usize = 4096;

/// One frame's numbers, as the chart and the CSV use them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TracePoint {
    /// The step.
    pub step: u64,
    /// Current energy.
    pub current: f64,
    /// Best energy so far.
    pub best: f64,
    /// Temperature.
    pub temperature: f64,
    /// Acceptance rate (recent window).
    pub acceptance: f64,
}

impl TracePoint {
    /// The numbers of a progress snapshot.
    pub fn of(progress: &Progress) -> Self {
        TracePoint {
            step: progress.snapshot.step,
            current: progress.snapshot.current_energy,
            best: progress.snapshot.best_energy,
            temperature: progress.snapshot.temperature,
            acceptance: progress.snapshot.acceptance_rate,
        }
    }
}

/// A run's downsampled trace from step 0.
#[derive(Clone, Debug)]
pub struct RunTrace {
    points: Vec<TracePoint>,
    /// The newest frame when it is not one of `points` (between two kept ones).
    newest: Option<TracePoint>,
    /// Keep one frame in this many.
    stride: usize,
    /// Frames since the last kept one.
    since: usize,
    limit: usize,
}

impl RunTrace {
    /// An empty trace keeping at most `limit` points (at least 2).
    pub fn new(limit: usize) -> Self {
        RunTrace { points: Vec::new(), newest: None, stride: 1, since: 0, limit: limit.max(2) }
    }

    /// Forget every point (a reset starts a new run).
    pub fn clear(&mut self) {
        *self = RunTrace::new(self.limit);
    }

    /// Note a frame. A frame at the step of the newest point replaces it (a manual
    /// step that ran no step, a `complete` after its last progress).
    pub fn push(&mut self, point: TracePoint) {
        if self.last().is_some_and(|last| last.step == point.step) {
            match &mut self.newest {
                Some(newest) => *newest = point,
                None => {
                    if let Some(last) = self.points.last_mut() {
                        *last = point;
                    }
                }
            }
            return;
        }
        self.since += 1;
        if self.points.is_empty() || self.since >= self.stride {
            self.points.push(point);
            self.newest = None;
            self.since = 0;
            if self.points.len() > self.limit {
                self.halve();
            }
        } else {
            self.newest = Some(point);
        }
    }

    /// The newest point.
    pub fn last(&self) -> Option<&TracePoint> {
        self.newest.as_ref().or(self.points.last())
    }

    /// At most `max` points (at least 2), evenly spaced, from the first to the newest.
    pub fn points(&self, max: usize) -> Vec<TracePoint> {
        let all: Vec<TracePoint> = self.points.iter().chain(self.newest.iter()).copied().collect();
        let max = max.max(2);
        if all.len() <= max {
            return all;
        }
        let every = all.len().div_ceil(max - 1);
        let mut picked: Vec<TracePoint> = all.iter().step_by(every).copied().collect();
        if let Some(last) = all.last()
            && picked.last() != Some(last)
        {
            picked.push(*last);
        }
        picked
    }

    fn halve(&mut self) {
        let mut i = 0;
        self.points.retain(|_| {
            let keep = i % 2 == 0;
            i += 1;
            keep
        });
        self.stride *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(step: u64) -> TracePoint {
        TracePoint { step, current: step as f64, best: 0.0, temperature: 1.0, acceptance: 0.5 }
    }

    #[test]
    fn keeps_every_frame_until_full() {
        let mut trace = RunTrace::new(100);
        for step in 0..50 {
            trace.push(at(step));
        }
        let steps: Vec<u64> = trace.points(100).iter().map(|p| p.step).collect();
        assert_eq!(steps, (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn stays_bounded_and_keeps_step_zero_and_the_newest_frame() {
        let mut trace = RunTrace::new(64);
        for step in 0..100_000 {
            trace.push(at(step));
            assert!(trace.points.len() <= 64);
        }
        let points = trace.points(64);
        assert_eq!(points.first().map(|p| p.step), Some(0));
        assert_eq!(points.last().map(|p| p.step), Some(99_999));
        assert!(points.windows(2).all(|w| w[0].step < w[1].step));
        assert!(points.len() >= 32, "downsampling keeps at least half the limit, got {}", points.len());
    }

    #[test]
    fn a_frame_at_the_same_step_replaces_the_newest_point() {
        let mut trace = RunTrace::new(8);
        trace.push(at(0));
        trace.push(at(1));
        trace.push(TracePoint { current: -5.0, ..at(1) });
        let points = trace.points(8);
        assert_eq!(points.len(), 2);
        assert_eq!(points[1].current, -5.0);
    }

    #[test]
    fn points_are_thinned_to_the_asked_number() {
        let mut trace = RunTrace::new(1000);
        for step in 0..1000 {
            trace.push(at(step));
        }
        let points = trace.points(10);
        assert!(points.len() <= 11, "{}", points.len());
        assert_eq!(points.first().map(|p| p.step), Some(0));
        assert_eq!(points.last().map(|p| p.step), Some(999));
    }
}
