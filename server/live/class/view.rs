//! What the projector and the phones see of a class experiment: the ensemble as one
//! JSON value (each phone's run with its best so far, the successes per setting, the
//! best structure and who found it, the summary at the end), and the feed of its
//! stream, which sends that value as a `class` event at every change (the server's
//! one SSE follower adds keep-alives and `shutdown`).

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};
use tokio::sync::Notify;

use super::{ClassRun, Classes, MAX_PHONES, settings};
use crate::live::event::write_event;
use crate::live::session::lock;
use crate::live::sse::{Feed, Next};

impl ClassRun {
    /// The ensemble as the projector draws it (docs/protocol.md, class experiment).
    pub fn view(&self) -> Value {
        let plan = self.experiment.plan();
        let groups = plan.group_count() as usize;
        let state = lock(&self.state);
        let mut tasks = Vec::new();
        let mut reached = vec![0u64; groups];
        let mut completed = vec![0u64; groups];
        let mut runs = vec![0u64; groups];
        let mut optimum = None;
        let mut minimize = true;
        let mut best: Option<(f64, Value, Option<Arc<crate::live::event::Svg>>)> = None;
        for phone in &state.phones {
            for handed in &phone.tasks {
                let Some((session_id, _)) = &handed.made else { continue };
                let g = handed.task.group as usize;
                runs[g] += 1;
                if handed.complete {
                    completed[g] += 1;
                }
                if handed.reached() {
                    reached[g] += 1;
                }
                optimum = optimum.or(handed.optimum);
                minimize = handed.minimize;
                let entry = json!({
                    "task_id": handed.task.id,
                    "group": handed.task.group,
                    "seed": handed.task.seed,
                    "phone": phone.number,
                    "name": phone.shown_name(),
                    "session_id": session_id,
                    "step": handed.step,
                    "total_steps": handed.total_steps,
                    "best_energy": handed.best_energy,
                    "reached_optimum": handed.reached(),
                    "complete": handed.complete,
                    "left": !handed.complete && !handed.watched,
                });
                if let Some(energy) = handed.best_energy {
                    let better = match &best {
                        None => true,
                        Some((b, _, _)) => {
                            if handed.minimize {
                                energy < *b
                            } else {
                                energy > *b
                            }
                        }
                    };
                    if better {
                        let who = json!({"energy": energy, "task_id": handed.task.id, "group": handed.task.group,
                                         "phone": phone.number, "name": phone.shown_name()});
                        best = Some((energy, who, handed.best_svg.clone()));
                    }
                }
                tasks.push(entry);
            }
        }
        let ended = state.ended;
        let version = state.version;
        let phones = state.phones.len();
        drop(state);
        let best = best.map(|(_, mut who, svg)| {
            let drawing = svg.and_then(|s| serde_json::from_str::<String>(&s.json).ok());
            who["svg"] = json!(drawing);
            who
        });
        let settings: Vec<Value> = settings(plan)
            .into_iter()
            .enumerate()
            .map(|(g, params)| {
                json!({"group": g, "params": params, "runs": runs[g], "completed": completed[g], "reached": reached[g]})
            })
            .collect();
        let described = self.experiment.describe();
        json!({
            "code": self.room,
            "state": if ended { "complete" } else { "running" },
            "version": version,
            "experiment_id": self.experiment.id(),
            "experiment_url": format!("/experiments/{}", self.experiment.id()),
            "phones": phones,
            "max_phones": MAX_PHONES,
            "optimum": optimum,
            "minimize": minimize,
            "settings": settings,
            "tasks": tasks,
            "best": best,
            "summary": described["summary"],
        })
    }
}

/// The value of a room with no class experiment.
pub fn no_class(code: &str) -> Value {
    json!({"code": code, "state": "none", "max_phones": MAX_PHONES})
}

/// One class stream's feed: a `class` event on connect and at every change of the
/// room's class experiment (a new one included).
pub struct ClassViewer {
    classes: Classes,
    code: String,
    /// What the last event showed: the experiment and its version.
    sent: Option<(Option<uuid::Uuid>, u64)>,
}

impl ClassViewer {
    /// A feed of room `code`'s class experiments.
    pub fn new(classes: Classes, code: String) -> Self {
        ClassViewer { classes, code, sent: None }
    }

    fn changed(&mut self) -> Option<String> {
        let run = self.classes.get(&self.code);
        let key = (run.as_ref().map(|r| r.experiment.id()), run.as_ref().map_or(0, |r| r.version()));
        if self.sent == Some(key) {
            return None;
        }
        self.sent = Some(key);
        let data = run.map_or_else(|| no_class(&self.code), |r| r.view());
        let mut out = String::new();
        write_event(&mut out, None, "class", &data.to_string());
        Some(out)
    }
}

impl Feed for ClassViewer {
    fn opening(&mut self) -> Option<String> {
        self.changed()
    }

    fn next(&mut self, _now: Instant) -> Next {
        match self.changed() {
            Some(out) => Next::Send(out),
            None => Next::Wait { until: None, waiting: None },
        }
    }

    fn signal(&self) -> Arc<Notify> {
        self.classes.signal()
    }
}
