//! Experiments of every built-in kind through the registry ([`KindRunner`]): each runs,
//! is judged against the known optimum where the kind has one (the values here come
//! from published tables and exact formulas, not from Kiln), and bad parameters are
//! refused before anything runs with the field placed in the plan.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use kiln::kinds::Registry;
use kiln::sweep::{Experiment, KindRunner, Plan, PlanLimits, Report, RunOptions, SweepPool};
use serde_json::{Value, json};

fn run(plan: Value) -> Report {
    let limits = PlanLimits::default();
    let plan = Plan::parse(&plan, &limits).expect("a valid plan");
    let runner = KindRunner::new(Arc::new(Registry::builtin()));
    let experiment = Experiment::new(plan, runner, &limits).expect("parameters the kind accepts");
    let cancel = AtomicBool::new(false);
    experiment.run(&SweepPool::new(2).unwrap(), RunOptions::new(&cancel), |_| {}).expect("not cancelled")
}

fn refused(plan: Value) -> String {
    let limits = PlanLimits::default();
    let plan = Plan::parse(&plan, &limits).expect("a valid plan");
    let runner = KindRunner::new(Arc::new(Registry::builtin()));
    match Experiment::new(plan, runner, &limits) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.field().to_string(),
    }
}

#[test]
fn each_builtin_kind_is_judged_against_its_known_optimum() {
    // (plan, the optimum from an independent source)
    let cases = [
        // Least Wiener index of the hexanes: 28 (2,2-dimethylbutane; shared/data/isomers.tsv).
        (json!({"base": {"problem": "isomer", "formula": "C6H14"}, "seeds": 4}), Some(28.0)),
        // TSPLIB's optimal eil51 tour: 426.
        (json!({"base": {"problem": "tsp", "instance": "eil51", "steps": 30_000}, "seeds": 3}), Some(426.0)),
        // A ferromagnet's ground state: all spins aligned, -2 per spin on a periodic
        // square lattice (2 bonds per spin), so -2 * 8 * 8 = -128.
        (
            json!({"base": {"problem": "magnet", "lattice": 8, "coupling": "ferro", "steps": 30_000}, "seeds": 3}),
            Some(-128.0),
        ),
        // A Gset graph's best cut is only best-known, not proven: no task is judged.
        (json!({"base": {"problem": "magnet", "gset": "G1", "steps": 6_000}, "seeds": 2}), None),
    ];
    for (plan, optimum) in cases {
        let report = run(plan.clone());
        let summary = &report.summary;
        assert_eq!(summary.error_count, 0, "{plan}");
        let group = &summary.groups[0];
        assert_eq!(group.optimum, optimum, "{plan}");
        match optimum {
            Some(o) => {
                assert_eq!(group.judged_count, group.tasks, "{plan}");
                assert!(group.best_energy.unwrap().min >= o, "{plan}: below the optimum");
                for r in &report.records {
                    assert_eq!(r.reached_optimum, Some(r.best_energy == Some(o)), "{plan}: {r:?}");
                }
            }
            None => {
                assert_eq!(group.success_rate, None, "{plan}");
                assert_eq!(group.judged_count, 0, "{plan}");
                assert_eq!(group.time_to_solution, None, "{plan}");
                for r in &report.records {
                    assert_eq!(r.reached_optimum, None, "{plan}: an unjudged task says null: {r:?}");
                }
            }
        }
    }
}

#[test]
fn same_plan_same_results_on_one_or_two_threads() {
    let plan = json!({"base": {"problem": "tsp", "instance": "berlin52", "steps": 20_000},
                      "vary": {"schedule": ["auto", "geometric"]}, "seeds": 3});
    let limits = PlanLimits::default();
    let results = |threads: usize| {
        let plan = Plan::parse(&plan, &limits).unwrap();
        let experiment =
            Experiment::new(plan, KindRunner::new(Arc::new(Registry::builtin())), &limits).unwrap();
        let cancel = AtomicBool::new(false);
        let report =
            experiment.run(&SweepPool::new(threads).unwrap(), RunOptions::new(&cancel), |_| {}).unwrap();
        report.records.iter().map(|r| (r.task_id, r.best_energy, r.best_step, r.steps)).collect::<Vec<_>>()
    };
    assert_eq!(results(1), results(2));
}

#[test]
fn a_bad_parameter_refuses_the_experiment_naming_where_it_sits() {
    assert_eq!(refused(json!({"base": {"problem": "nope"}, "seeds": 1})), "base.problem");
    assert_eq!(refused(json!({"base": {"problem": "tsp", "formula": "C4H10"}, "seeds": 1})), "base.formula");
    assert_eq!(
        refused(json!({"base": {"problem": "isomer"}, "vary": {"initial_temp": [10, -1]}, "seeds": 1})),
        "vary.initial_temp"
    );
    assert_eq!(refused(json!({"base": {"problem": "tsp", "steps": -5}, "seeds": 1})), "base.steps");
    assert_eq!(
        refused(json!({"base": {"problem": "tsp", "cities": 20_000, "moves": "large"}, "seeds": 1})),
        "base.moves"
    );
    // A formula no molecule has fails at build only: the experiment starts, its tasks fail.
    let report = run(json!({"base": {"problem": "isomer", "formula": "C4H11"}, "seeds": 2}));
    assert_eq!(report.summary.error_count, 2);
    let error = report.records[0].error.as_ref().unwrap();
    assert_eq!(error.field_name(), Some("formula"), "{error}");
}

#[test]
fn a_tour_task_takes_large_steps_as_kiln_run_does_unless_told_otherwise() {
    let runner = KindRunner::new(Arc::new(Registry::builtin()));
    let moves = |params: Value| {
        let record = runner.record(params.as_object().unwrap(), 1).expect("a task that runs");
        serde_json::to_value(&record.problem).unwrap()["moves"].clone()
    };
    assert_eq!(moves(json!({"problem": "tsp", "instance": "eil51", "steps": 1_000})), "large");
    assert_eq!(
        moves(json!({"problem": "tsp", "instance": "eil51", "steps": 1_000, "moves": "local"})),
        Value::Null
    );
}
