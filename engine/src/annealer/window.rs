//! The annealer's recent-acceptance window: accepted per valid proposal (and per step)
//! over the current and the previous block of [`WINDOW_BLOCK`] steps, O(1) per step.
//! Progress events show it; `Batch::Auto` chooses its batch size from it. It never
//! changes a trajectory.

/// Steps per block of the recent-acceptance window.
const WINDOW_BLOCK: u64 = 1024;

/// Acceptance over the current and the previous block of steps: O(1) per step.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Window {
    current: WindowBlock,
    previous: WindowBlock,
}

#[derive(Clone, Copy, Debug, Default)]
struct WindowBlock {
    steps: u64,
    valid: u64,
    accepted: u64,
}

impl Window {
    #[inline]
    pub(super) fn push(&mut self, valid: bool, accepted: bool) {
        let b = &mut self.current;
        b.steps += 1;
        b.valid += u64::from(valid);
        b.accepted += u64::from(accepted);
        if b.steps == WINDOW_BLOCK {
            self.previous = std::mem::take(&mut self.current);
        }
    }

    /// `steps` steps at once, `valid` of them valid and `accepted` accepted: the same
    /// window as that many [`Window::push`]es, for steps that do not cross the end of
    /// the current block ([`Window::room`]).
    #[inline(always)]
    pub(super) fn add(&mut self, steps: u64, valid: u64, accepted: u64) {
        let b = &mut self.current;
        debug_assert!(b.steps + steps <= WINDOW_BLOCK);
        b.steps += steps;
        b.valid += valid;
        b.accepted += accepted;
        if b.steps == WINDOW_BLOCK {
            self.previous = std::mem::take(&mut self.current);
        }
    }

    /// Steps left before the current block ends (at least 1).
    #[inline(always)]
    pub(super) fn room(&self) -> u64 {
        WINDOW_BLOCK - self.current.steps
    }

    /// Accepted per valid proposal.
    pub(super) fn acceptance(&self) -> f64 {
        let valid = self.current.valid + self.previous.valid;
        if valid == 0 { 0.0 } else { (self.current.accepted + self.previous.accepted) as f64 / valid as f64 }
    }

    /// Accepted per step: the chance a step changes the state.
    pub(super) fn acceptance_per_step(&self) -> f64 {
        let steps = self.current.steps + self.previous.steps;
        if steps == 0 { 0.0 } else { (self.current.accepted + self.previous.accepted) as f64 / steps as f64 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_added_in_chunks_give_the_window_of_steps_pushed_one_by_one() {
        // A fixed pattern of outcomes (valid/accepted) over several blocks, pushed one
        // step at a time and added in chunks that end at the blocks' ends or before.
        let outcome = |i: u64| (i % 7 != 3, i.is_multiple_of(3) && i % 7 != 3);
        let total = 5 * WINDOW_BLOCK + 300;
        let mut pushed = Window::default();
        let mut added = Window::default();
        let mut i = 0;
        let mut chunk = 1;
        while i < total {
            let steps = chunk.min(added.room()).min(total - i);
            let (mut valid, mut accepted) = (0, 0);
            for j in i..i + steps {
                let (v, a) = outcome(j);
                pushed.push(v, a);
                valid += u64::from(v);
                accepted += u64::from(a);
            }
            added.add(steps, valid, accepted);
            i += steps;
            chunk = chunk * 3 % 1000 + 1;
            assert_eq!(added.acceptance().to_bits(), pushed.acceptance().to_bits(), "after {i} steps");
            assert_eq!(added.acceptance_per_step().to_bits(), pushed.acceptance_per_step().to_bits());
        }
        assert!(pushed.acceptance() > 0.0);
    }
}
