//! Pricing a plan's build before it is all built: checking a plan resolves every
//! parameter set, which builds its problem (a 100,000-city tour takes a good part of
//! a CPU-second), and every task builds its problem again when it runs. So a short
//! plan of many large problems could cost minutes of CPU before its first task.
//!
//! [`Pricer::check`] runs after each parameter set is checked
//! ([`crate::sweep::Experiment::checked`]): from the time the sets so far took, it
//! prices building all of them, and building one per task, against a
//! [`BuildBudget`], and refuses as soon as either is over, naming the part of the
//! plan that makes it big (`vary` for many sets, `base` for one large problem,
//! `seeds` for many tasks). Only the first set or two of a plan too large are built.
//! It also stops the check when `cancelled` says so (the client hung up, or the
//! deadline passed). The clock only prices; it decides nothing of a trajectory.

use std::time::{Duration, Instant};

use crate::sweep::plan::{Plan, PlanError};

/// What building a plan's problems may cost, in seconds of building.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuildBudget {
    /// Checking the plan: building every parameter set's problem once.
    pub check: Duration,
    /// Running it: building one problem per task.
    pub tasks: Duration,
}

impl Default for BuildBudget {
    /// 10 s to check (a create answers well within its 20 s limit) and 10 minutes of
    /// building over all tasks (the step limit's order of magnitude).
    fn default() -> Self {
        BuildBudget { check: Duration::from_secs(10), tasks: Duration::from_secs(600) }
    }
}

/// Prices one plan's check as it goes.
pub struct Pricer<'a> {
    budget: BuildBudget,
    groups: u64,
    tasks: u64,
    started: Instant,
    cancelled: &'a dyn Fn() -> bool,
}

impl<'a> Pricer<'a> {
    /// A pricer of `plan` against `budget`, started now; `cancelled` stops the check.
    pub fn new(plan: &Plan, budget: BuildBudget, cancelled: &'a dyn Fn() -> bool) -> Self {
        Pricer {
            budget,
            groups: plan.group_count(),
            tasks: plan.task_count(),
            started: Instant::now(),
            cancelled,
        }
    }

    /// After `built` parameter sets are checked: go on, or refuse the plan.
    pub fn check(&mut self, built: u64) -> Result<(), PlanError> {
        self.price(built, self.started.elapsed())
    }

    /// [`Pricer::check`] with the time the `built` sets took.
    fn price(&self, built: u64, spent: Duration) -> Result<(), PlanError> {
        if (self.cancelled)() {
            return Err(PlanError::new("plan", "not checked: the request was cancelled or ran out of time"));
        }
        let each = spent.as_secs_f64() / built.max(1) as f64;
        let check = each * self.groups as f64;
        if check > self.budget.check.as_secs_f64() {
            let (field, what) =
                if self.groups > 1 { ("vary", "fewer values") } else { ("base", "a smaller problem") };
            return Err(PlanError::new(
                field,
                format!(
                    "{} parameter sets would take about {check:.0} s to build (about {each:.2} s each), above the \
                     limit of {} s; give {what}",
                    self.groups,
                    self.budget.check.as_secs()
                ),
            ));
        }
        let tasks = each * self.tasks as f64;
        if tasks > self.budget.tasks.as_secs_f64() {
            return Err(PlanError::new(
                "seeds",
                format!(
                    "{} tasks would take about {tasks:.0} s to build their problems (about {each:.2} s each), above \
                     the limit of {} s; give fewer seeds or a smaller problem",
                    self.tasks,
                    self.budget.tasks.as_secs()
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::sweep::plan::PlanLimits;

    fn plan(value: serde_json::Value) -> Plan {
        Plan::parse(&value, &PlanLimits::default()).unwrap()
    }

    fn never() -> bool {
        false
    }

    #[test]
    fn many_sets_of_a_slow_build_are_refused_naming_vary() {
        let plan =
            plan(json!({"base": {"problem": "p"}, "vary": {"x": (0..200).collect::<Vec<_>>()}, "seeds": 1}));
        let pricer = Pricer::new(&plan, BuildBudget::default(), &never);
        // One set took 0.25 s: 200 would take 50 s, over the 10 s.
        let refused = pricer.price(1, Duration::from_millis(250)).unwrap_err();
        assert_eq!(refused.field(), "vary");
        assert!(refused.message().contains("200 parameter sets would take about 50 s"), "{refused}");
        assert!(pricer.price(1, Duration::from_millis(40)).is_ok(), "200 x 40 ms = 8 s fits");
    }

    #[test]
    fn one_large_problem_names_base_and_many_tasks_name_seeds() {
        let one = plan(json!({"base": {"problem": "p"}, "seeds": 2}));
        let refused =
            Pricer::new(&one, BuildBudget::default(), &never).price(1, Duration::from_secs(11)).unwrap_err();
        assert_eq!(refused.field(), "base");
        let many = plan(json!({"base": {"problem": "p"}, "seeds": 10000}));
        let refused = Pricer::new(&many, BuildBudget::default(), &never)
            .price(1, Duration::from_millis(100))
            .unwrap_err();
        assert_eq!(refused.field(), "seeds", "10,000 builds of 0.1 s = 1,000 s, over 600 s");
        assert!(
            Pricer::new(&many, BuildBudget::default(), &never).price(1, Duration::from_millis(10)).is_ok()
        );
    }

    #[test]
    fn a_cancelled_check_stops() {
        let one = plan(json!({"base": {"problem": "p"}, "seeds": 1}));
        let refused = Pricer::new(&one, BuildBudget::default(), &|| true).check(1).unwrap_err();
        assert_eq!(refused.field(), "plan");
    }
}
