//! Experiments whose tasks are handed out, not run on the pool: a class experiment
//! (`live::class`) gives each phone a task and runs it as that phone's live session.
//! The experiment is the ordinary one (DESIGN.md section 11): `task_start` when a task
//! is handed, `task_complete` with its record when its session completes, the
//! summary (`execution_complete`) when the teacher finishes it, records in the
//! store. After a restart a handed experiment comes back complete, summarising the
//! tasks that completed before it (its phones' sessions are not handed out again).

use std::sync::Arc;

use super::{Experiments, LiveExperiment, Status, StoredResults, unix_ms};
use crate::live::LiveError;
use crate::store::ExperimentRecord;
use crate::sweep::summary::Timing;
use crate::sweep::{Plan, Summary, SweepEvent, TaskRecord, TaskStart};

impl Experiments {
    /// Take in an experiment whose tasks will be handed out (checked as any plan is:
    /// the running limit under one lock, its record stored). Nothing runs here.
    /// Blocking (the record is flushed to disk): call it off the reactor.
    pub fn admit_handed(&self, plan: Plan) -> Result<Arc<LiveExperiment>, LiveError> {
        let fresh = StoredResults { tasks: Vec::new(), last_event_id: 0, created_at: 0, handed: true };
        let token = uuid::Uuid::new_v4().simple().to_string();
        let live =
            Arc::new(LiveExperiment::new(uuid::Uuid::new_v4(), token, plan, fresh, self.store.clone()));
        {
            let mut list = self.list();
            self.make_room(&mut list)?;
            list.push(live.clone());
        }
        live.persist();
        if let Err(e) = self.store.flush() {
            eprintln!("kiln: experiment {}: not saved: {e}", live.id);
        }
        Ok(live)
    }

    /// A stored handed experiment after a restart: complete, with its summary.
    pub(super) fn restore_handed(
        &self,
        record: &ExperimentRecord,
        plan: Plan,
        results: StoredResults,
    ) -> usize {
        let done = results.tasks.len();
        let live =
            Arc::new(LiveExperiment::new(record.id, record.token.clone(), plan, results, self.store.clone()));
        self.list().push(live.clone());
        live.close_handed();
        done
    }
}

impl LiveExperiment {
    /// Whether its tasks are handed out (a class experiment).
    pub fn is_handed(&self) -> bool {
        self.state().handed
    }

    /// A task was handed out: its `task_start` event.
    pub fn hand_start(&self, start: TaskStart) {
        if self.status() == Status::Running {
            self.push(&SweepEvent::TaskStart(start));
        }
    }

    /// A handed task completed: its record (kept, stored, `task_complete`), once.
    pub fn hand_complete(&self, record: TaskRecord) {
        if self.status() != Status::Running
            || self.state().records.iter().any(|r| r.task_id == record.task_id)
        {
            return;
        }
        self.push(&SweepEvent::TaskComplete(record));
    }

    /// No more tasks: the summary of the completed ones (`execution_complete`) and
    /// the experiment is complete. Tasks handed but not complete are not in it.
    pub fn close_handed(&self) {
        if self.status() != Status::Running {
            return;
        }
        let records = self.state().records.clone();
        let task_time_ms = records.iter().map(|r| r.execution_time_ms).sum();
        let finished_at = unix_ms();
        let timing = Timing {
            wall_ms: finished_at.saturating_sub(self.created_at) as f64,
            started_at: self.created_at,
            finished_at,
        };
        let summary = Summary::new(&self.plan, None, &records, task_time_ms, timing);
        self.push(&SweepEvent::ExecutionComplete(summary));
        self.finish(Status::Complete);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;
    use tokio::sync::watch;

    use super::*;
    use crate::kinds::Registry;
    use crate::store::{Store, StoreWriter};
    use crate::sweep::{PlanLimits, TaskResult};

    fn experiments(dir: &std::path::Path) -> Experiments {
        let store = Arc::new(StoreWriter::spawn(Store::open(dir).expect("store"), Duration::ZERO));
        let (_, stop) = watch::channel(false);
        Experiments::new(Arc::new(Registry::builtin()), stop, store)
    }

    #[test]
    fn a_handed_experiment_keeps_its_records_and_comes_back_complete_after_a_restart() {
        let dir = std::env::temp_dir().join(format!("kiln-handed-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let plan = json!({"base": {"formula": "C4H10"}, "vary": {"steps_per_cycle": [100, 200]}, "seeds": 3});
        let plan = Plan::parse(&plan, &PlanLimits::default()).unwrap();
        let first = experiments(&dir);
        let live = first.admit_handed(plan.clone()).unwrap();
        assert!(live.is_handed());
        assert_eq!(live.status(), Status::Running, "nothing runs it: it waits for its tasks");
        let task = plan.task(1).unwrap();
        let result = TaskResult::new(9.0, 40, 200).against_optimum(9.0, true);
        live.hand_complete(TaskRecord::new(task, Ok(result.clone()), 1.0, 0));
        live.hand_complete(TaskRecord::new(task, Ok(result), 1.0, 0));
        assert_eq!(live.describe()["completed_tasks"], 1, "a task is recorded once");
        let id = live.id();
        drop((live, first));

        let second = experiments(&dir);
        second.restore();
        let back = second.get(id).expect("restored");
        assert!(back.is_handed());
        assert_eq!(back.status(), Status::Complete, "not handed out again, not run on the pool");
        let described = back.describe();
        assert_eq!(described["summary"]["completed_count"], 1, "{described}");
        assert_eq!(described["summary"]["groups"][0]["reached_count"], 1);
        std::fs::remove_dir_all(&dir).ok();
    }
}
