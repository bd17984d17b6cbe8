//! The class experiment (issue 24, DESIGN.md section 11): the teacher of a room
//! starts an experiment whose tasks are handed to the room's phones, one at a time
//! per phone, each run as that phone's own live session (paced for watching), and
//! the projector follows the ensemble.
//!
//! Underneath it is an ordinary experiment ([`super::experiments`], handed mode):
//! its plan is the teacher's settings (`base`), optionally one parameter with two
//! values (`vary`, two settings side by side), and [`MAX_PHONES`] seeds from the
//! teacher's seed on. Phone number k (0-based) runs the tasks of seed index k, one
//! per setting, one after the other (phone k starts with setting k mod 2, so both
//! settings fill evenly); each is `task_start` when handed and `task_complete`, with
//! the record its session's result makes, when its session completes. The teacher's
//! Finish closes the experiment with its summary (the completed tasks; a run still
//! going or left by its phone is not in it).
//!
//! Each task is a session: the phone's stream drives it, as any watched session, so
//! a phone that leaves stops only its own run, and nothing waits for it. A ticker
//! ([`TICK`]) looks at every handed session and turns the ensemble into a new
//! version when anything moved; [`ClassViewer`] (the stream of
//! `/api/rooms/{code}/class/stream`, in `class/view.rs`) sends it as `class` events.
//!
//! Limits: [`MAX_PHONES`] phones per class experiment (a late phone past it is
//! refused with 429), one run at a time per phone, the server's session limit for
//! every run, and whatever [`may_run`] adds: the one place that says whether a phone
//! may run a task now.

pub mod view;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value, json};
use tokio::sync::Notify;
use uuid::Uuid;

use super::budget::Caller;
use super::error::LiveError;
use super::event::Svg;
use super::experiments::{Experiments, LiveExperiment};
use super::log as session_log;
use super::rooms::Rooms;
use super::session::{Control, Session, lock};
use super::sessions::Sessions;
use crate::kinds::{ParamError, Registry, Request, Scope};
use crate::sweep::{Params, Plan, TaskRecord, TaskRef, TaskResult, TaskStart};

/// Most phones in one class experiment: 60, two classes' worth; with two settings,
/// 120 tasks.
pub const MAX_PHONES: u64 = 60;
/// Most characters of a name a student types.
pub const MAX_NAME_CHARS: usize = 24;
/// How often the ensemble is looked at.
pub const TICK: Duration = Duration::from_millis(250);
/// The rows that say how a live run is shown: a phone's session takes them from the
/// teacher's settings, the experiment's plan does not hold them.
pub const PACING_ROWS: [&str; 3] = ["batch", "steps_per_event", "max_events_per_sec"];

/// Why a phone gets no run, or a class experiment cannot start.
#[derive(Debug)]
pub enum ClassError {
    /// The class experiment was finished.
    Over,
    /// A limit: the phone cap, the server's sessions.
    Full(String),
    /// Another request of the same phone is making its run right now.
    Making,
    /// A parameter (the teacher's settings, a typed name) is refused.
    Param(ParamError),
    /// The session manager said no.
    Live(LiveError),
}

impl From<LiveError> for ClassError {
    fn from(e: LiveError) -> Self {
        match e {
            LiveError::TooMany(message) => ClassError::Full(message),
            other => ClassError::Live(other),
        }
    }
}

impl From<ParamError> for ClassError {
    fn from(e: ParamError) -> Self {
        ClassError::Param(e)
    }
}

/// One task handed to a phone, and what its session showed at the last look.
struct Handed {
    task: TaskRef,
    /// The session's id and kind; None while the session is being made.
    made: Option<(Uuid, String)>,
    /// The session itself, held until its record is taken (or the class ends), then
    /// let go so the session manager's idle purge can free it.
    session: Option<Arc<Session>>,
    step: u64,
    total_steps: u64,
    best_energy: Option<f64>,
    best_step: u64,
    optimum: Option<f64>,
    minimize: bool,
    complete: bool,
    /// No stream drives it (its phone left or is reconnecting).
    watched: bool,
    /// Its record went to the experiment.
    recorded: bool,
    best_svg: Option<Arc<Svg>>,
    handed_at: std::time::Instant,
}

impl Handed {
    fn reached(&self) -> bool {
        match (self.best_energy, self.optimum) {
            (Some(best), Some(optimum)) => {
                let gap = if self.minimize { best - optimum } else { optimum - best };
                gap <= 1e-9 * optimum.abs().max(1.0)
            }
            _ => false,
        }
    }
}

/// One phone of the class experiment.
struct Phone {
    token: String,
    /// 1-based, in the order phones joined ("phone 7").
    number: u64,
    name: Option<String>,
    tasks: Vec<Handed>,
}

impl Phone {
    fn shown_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| format!("phone {}", self.number))
    }
}

/// What changes as the class runs.
pub struct ClassState {
    phones: Vec<Phone>,
    /// Moves whenever the ensemble does.
    version: u64,
    ended: bool,
}

/// What a phone may do now, as [`may_run`] decides.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Go on watching its run (task index in the phone's list).
    Current(usize),
    /// Hand it the task of this setting (the phone is new when `phone` is None).
    Hand {
        /// The phone's index, if it joined before.
        phone: Option<usize>,
        /// The setting (parameter set) of the task.
        group: u64,
    },
    /// It ran one task of every setting.
    Done(usize),
}

/// Whether the phone holding `token` (None: a phone not seen yet) may run a task
/// now, and which: the one check of "may this phone run a task" (a finished class,
/// the phone cap, one run at a time per phone, one task per setting). Budgets of
/// the server (sessions) are checked when the run is made.
pub fn may_run(state: &ClassState, groups: u64, token: Option<&str>) -> Result<Next, ClassError> {
    if state.ended {
        return Err(ClassError::Over);
    }
    let known = token.and_then(|t| state.phones.iter().position(|p| super::token::same_token(&p.token, t)));
    let Some(index) = known else {
        if state.phones.len() as u64 >= MAX_PHONES {
            return Err(ClassError::Full(format!(
                "this class experiment already has its maximum of {MAX_PHONES} phones"
            )));
        }
        let number = state.phones.len() as u64;
        return Ok(Next::Hand { phone: None, group: number % groups });
    };
    let phone = &state.phones[index];
    match phone.tasks.last() {
        Some(last) if last.made.is_none() => Err(ClassError::Making),
        Some(last) if !last.complete => Ok(Next::Current(phone.tasks.len() - 1)),
        _ if phone.tasks.len() as u64 >= groups => Ok(Next::Done(index)),
        _ => {
            let first = (phone.number - 1) % groups;
            Ok(Next::Hand { phone: Some(index), group: (first + phone.tasks.len() as u64) % groups })
        }
    }
}

/// What a phone's join answers.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Joined {
    /// The phone's token: the same phone asks again with it (the page keeps it).
    pub phone_token: String,
    /// Its number in the class.
    pub phone: u64,
    /// The name shown on the projector.
    pub name: String,
    /// The run to watch now (its session), or None once every setting was run.
    pub task: Option<Value>,
}

/// A class experiment: the experiment, the room it runs in, the phones.
pub struct ClassRun {
    room: String,
    experiment: Arc<LiveExperiment>,
    /// The teacher's pacing rows, which every phone's session takes.
    pacing: Map<String, Value>,
    state: Mutex<ClassState>,
    notify: Arc<Notify>,
}

impl ClassRun {
    /// The experiment underneath.
    pub fn experiment(&self) -> &Arc<LiveExperiment> {
        &self.experiment
    }

    /// The room's code.
    pub fn room(&self) -> &str {
        &self.room
    }

    /// Whether the teacher finished it.
    pub fn ended(&self) -> bool {
        lock(&self.state).ended
    }

    /// The ensemble's version (moves at every change).
    pub fn version(&self) -> u64 {
        lock(&self.state).version
    }

    /// The phone holding `token` (or a new one) joins: it gets the run it should
    /// watch now, made as a started session when it is new, under the name it typed
    /// (`name`, trimmed; empty keeps "phone N"). Blocking (builds a problem): call it
    /// off the reactor.
    pub fn join(
        &self,
        registry: &Registry,
        sessions: &Sessions,
        caller: &Caller,
        token: Option<&str>,
        name: Option<&str>,
    ) -> Result<Joined, ClassError> {
        let name = name.map(clean_name).transpose()?.flatten();
        let groups = self.experiment.plan().group_count();
        let (phone, task) = {
            let mut state = lock(&self.state);
            let next = may_run(&state, groups, token)?;
            let (index, group) = match next {
                Next::Current(task) => {
                    let index = self.phone_index(&state, token);
                    let phone = &mut state.phones[index];
                    if name.is_some() && phone.name != name {
                        phone.name = name;
                        state.version += 1;
                    }
                    let joined = self.joined(&state.phones[index], Some(task));
                    drop(state);
                    self.notify.notify_waiters();
                    return Ok(joined);
                }
                Next::Done(index) => {
                    if name.is_some() {
                        state.phones[index].name = name;
                        state.version += 1;
                    }
                    return Ok(self.joined(&state.phones[index], None));
                }
                Next::Hand { phone: Some(index), group } => (index, group),
                Next::Hand { phone: None, group } => {
                    let number = state.phones.len() as u64 + 1;
                    let token = Uuid::new_v4().simple().to_string();
                    state.phones.push(Phone { token, number, name: None, tasks: Vec::new() });
                    (state.phones.len() - 1, group)
                }
            };
            let phone = &mut state.phones[index];
            if name.is_some() {
                phone.name = name;
            }
            let seed_index = phone.number - 1;
            let id = seed_index * groups + group;
            let Some(task) = self.experiment.plan().task(id) else {
                return Err(ClassError::Full(format!("no task {id} in the class experiment")));
            };
            phone.tasks.push(Handed {
                task,
                made: None,
                session: None,
                step: 0,
                total_steps: 0,
                best_energy: None,
                best_step: 0,
                optimum: None,
                minimize: true,
                complete: false,
                watched: true,
                recorded: false,
                best_svg: None,
                handed_at: std::time::Instant::now(),
            });
            (index, task)
        };
        let made = self.make_session(registry, sessions, caller, task);
        let mut state = lock(&self.state);
        let handed = state.phones[phone].tasks.last_mut().expect("just handed");
        match made {
            Ok(session) => {
                let progress = session.status().progress().clone();
                handed.total_steps = progress.snapshot.total_steps;
                handed.optimum = progress.optimal_energy;
                handed.minimize = session.config().direction.sign() > 0.0;
                handed.made = Some((session.id(), session.problem().to_string()));
                handed.session = Some(session);
                state.version += 1;
                let joined = self.joined(&state.phones[phone], Some(state.phones[phone].tasks.len() - 1));
                drop(state);
                if let Some(group) = self.experiment.plan().group(task.group) {
                    self.experiment.hand_start(TaskStart {
                        task_id: task.id,
                        group: task.group,
                        params: Arc::new(group.params().clone()),
                        seed: task.seed,
                        timestamp: unix_ms(),
                    });
                }
                self.notify.notify_waiters();
                Ok(joined)
            }
            Err(e) => {
                state.phones[phone].tasks.pop();
                // A phone that never got a run is forgotten (it never got its token).
                if state.phones[phone].tasks.is_empty() && phone + 1 == state.phones.len() {
                    state.phones.pop();
                }
                Err(e)
            }
        }
    }

    fn phone_index(&self, state: &ClassState, token: Option<&str>) -> usize {
        token
            .and_then(|t| state.phones.iter().position(|p| super::token::same_token(&p.token, t)))
            .unwrap_or(0)
    }

    /// The run of `task` as a started live session with the teacher's pacing.
    fn make_session(
        &self,
        registry: &Registry,
        sessions: &Sessions,
        caller: &Caller,
        task: TaskRef,
    ) -> Result<Arc<Session>, ClassError> {
        // The phone's run counts in its client's session budget (live::budget).
        sessions.check_room_for(caller)?;
        let group = self.experiment.plan().group(task.group).ok_or(ClassError::Over)?;
        let mut values: Map<String, Value> = group.params().clone();
        values.extend(self.pacing.clone());
        values.insert("seed".into(), json!(task.seed));
        let resolved = registry.resolve(&Request::from_map(values, Scope::Session))?;
        let session = sessions.create_for(resolved, caller)?;
        session.set_label(registry.describe(session.spec()));
        session_log::created(&session);
        session.control(Control::Start)?;
        Ok(session)
    }

    fn joined(&self, phone: &Phone, task: Option<usize>) -> Joined {
        let groups = self.experiment.plan().group_count();
        Joined {
            phone_token: phone.token.clone(),
            phone: phone.number,
            name: phone.shown_name(),
            task: task.and_then(|i| phone.tasks.get(i)).map(|h| {
                let session = h.made.as_ref().map(|(id, _)| *id);
                json!({
                    "task_id": h.task.id,
                    "group": h.task.group,
                    "groups": groups,
                    "seed": h.task.seed,
                    "params": self.experiment.plan().group(h.task.group).map(|g| Value::Object(g.varied().clone())),
                    "session_id": session,
                    "problem": h.made.as_ref().map(|(_, problem)| problem.clone()),
                    "stream_url": session.map(|id| format!("/api/sa/{id}/stream")),
                    "run": phone.tasks.len(),
                })
            }),
        }
    }

    /// Look at every handed session: update what the ensemble shows and hand the
    /// record of each newly completed one to the experiment. Blocking (a completed
    /// task's record is flushed to the store): call it off the reactor.
    pub fn refresh(&self) {
        let mut completed = Vec::new();
        let mut state = lock(&self.state);
        let mut moved = false;
        for phone in &mut state.phones {
            for handed in &mut phone.tasks {
                let Some(session) = &handed.session else { continue };
                if handed.recorded {
                    continue;
                }
                let status = session.status();
                let progress = status.progress();
                let watched = !status.viewers.is_empty();
                let best = Some(progress.snapshot.best_energy);
                if progress.snapshot.step != handed.step
                    || best != handed.best_energy
                    || status.is_complete() != handed.complete
                    || watched != handed.watched
                {
                    moved = true;
                }
                handed.step = progress.snapshot.step;
                handed.best_energy = best;
                handed.best_step = progress.snapshot.best_step;
                handed.complete = status.is_complete();
                handed.watched = watched;
                handed.best_svg = Some(status.latest.best_svg.clone());
                if handed.complete {
                    handed.recorded = true;
                    handed.session = None;
                    completed.push(record_of(handed));
                }
            }
        }
        if moved {
            state.version += 1;
        }
        drop(state);
        for record in completed {
            self.experiment.hand_complete(record);
        }
        if moved {
            self.notify.notify_waiters();
        }
    }

    /// The teacher's Finish: a last look, then the experiment's summary; no phone
    /// gets a run from now on. Blocking: call it off the reactor.
    pub fn finish(&self) {
        self.refresh();
        {
            let mut state = lock(&self.state);
            if state.ended {
                return;
            }
            state.ended = true;
            state.version += 1;
            // The runs not complete go on for their phones, but are no longer held here.
            for handed in state.phones.iter_mut().flat_map(|p| p.tasks.iter_mut()) {
                handed.session = None;
            }
        }
        self.experiment.close_handed();
        self.notify.notify_waiters();
    }
}

/// The record a completed task's session makes: what `kiln sweep` would report for
/// the same parameters and seed (a run is a pure function of them).
fn record_of(handed: &Handed) -> TaskRecord {
    let result = TaskResult::new(handed.best_energy.unwrap_or(f64::NAN), handed.best_step, handed.step);
    let result = match handed.optimum {
        Some(optimum) => result.against_optimum(optimum, handed.minimize),
        None => result,
    };
    let ms = handed.handed_at.elapsed().as_secs_f64() * 1e3;
    TaskRecord::new(handed.task, Ok(result), ms, unix_ms())
}

/// A typed name: trimmed, control characters refused, at most [`MAX_NAME_CHARS`];
/// empty means none.
fn clean_name(typed: &str) -> Result<Option<String>, ClassError> {
    let name = typed.trim();
    if name.chars().any(char::is_control) {
        return Err(ClassError::Param(ParamError::new(
            "name",
            "must be plain text, with no control characters",
        )));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ClassError::Param(ParamError::new(
            "name",
            format!("'{name}' is {} characters; at most {MAX_NAME_CHARS}", name.chars().count()),
        )));
    }
    Ok((!name.is_empty()).then(|| name.to_string()))
}

/// The teacher's settings as a class experiment's plan and pacing: `params` as the
/// page's configure body, `compare` an optional `{"name", "value"}`, the second
/// setting. The plan is `base` (without seed and pacing), `vary` (the compared
/// parameter's two values) and [`MAX_PHONES`] seeds from the teacher's seed.
pub fn plan_of(params: &Value, compare: Option<&Value>) -> Result<(Value, Map<String, Value>), ParamError> {
    let Some(params) = params.as_object() else {
        return Err(ParamError::new("params", format!("must be an object of parameters, not {params}")));
    };
    let mut base = params.clone();
    let mut pacing = Map::new();
    for row in PACING_ROWS {
        if let Some(v) = base.remove(row) {
            pacing.insert(row.to_string(), v);
        }
    }
    let seed = match base.remove("seed") {
        None | Some(Value::Null) => 1,
        Some(v) => {
            v.as_u64().ok_or_else(|| ParamError::new("seed", format!("must be a whole number, not {v}")))?
        }
    };
    let seeds = json!({"start": seed, "count": MAX_PHONES});
    let mut plan = json!({"base": base, "seeds": seeds});
    if let Some(compare) = compare.filter(|c| !c.is_null()) {
        let name = compare.get("name").and_then(Value::as_str).ok_or_else(|| {
            ParamError::new("compare.name", format!("must name a parameter, not {compare}"))
        })?;
        if name == "seed" || PACING_ROWS.contains(&name) {
            return Err(ParamError::new(
                "compare.name",
                format!(
                    "'{name}' does not change a run's outcome; compare a setting such as the steps or the temperatures"
                ),
            ));
        }
        let value = compare.get("value").cloned().unwrap_or(Value::Null);
        let current = base.get(name).cloned().ok_or_else(|| {
            ParamError::new("compare.name", format!("'{name}' is not among the settings sent; set it first"))
        })?;
        if same_value(&current, &value) {
            return Err(ParamError::new(
                "compare.value",
                format!("{value} is the current {name}; the second setting must differ"),
            ));
        }
        base.remove(name);
        plan = json!({"base": base, "vary": {name: [current, value]}, "seeds": seeds});
    }
    Ok((plan, pacing))
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// The class experiments of a server, one per room (a new one replaces the last).
#[derive(Clone, Default)]
pub struct Classes {
    by_room: Arc<Mutex<HashMap<String, Arc<ClassRun>>>>,
    /// Woken at every change of any class experiment, and when one starts.
    notify: Arc<Notify>,
}

impl Classes {
    /// The class experiment of room `code`, if it has one.
    pub fn get(&self, code: &str) -> Option<Arc<ClassRun>> {
        lock(&self.by_room).get(code).cloned()
    }

    /// Start `experiment` (admitted in handed mode from `plan`) as room `code`'s class
    /// experiment; the room's last one, if still running, is finished first. With a
    /// tokio runtime, a ticker refreshes it every [`TICK`] until it ends.
    pub fn start(
        &self,
        code: &str,
        experiment: Arc<LiveExperiment>,
        pacing: Map<String, Value>,
    ) -> Arc<ClassRun> {
        let run = Arc::new(ClassRun {
            room: code.to_string(),
            experiment,
            pacing,
            state: Mutex::new(ClassState { phones: Vec::new(), version: 1, ended: false }),
            notify: self.notify.clone(),
        });
        let before = lock(&self.by_room).insert(code.to_string(), run.clone());
        self.notify.notify_waiters();
        let runtime = tokio::runtime::Handle::try_current();
        if let Some(before) = before {
            // Finishing stores records: off the reactor when there is one.
            match &runtime {
                Ok(runtime) => drop(runtime.spawn_blocking(move || before.finish())),
                Err(_) => before.finish(),
            }
        }
        if let Ok(runtime) = runtime {
            let ticking = Arc::downgrade(&run);
            runtime.spawn(async move {
                let mut interval = tokio::time::interval(TICK);
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    interval.tick().await;
                    let Some(run) = ticking.upgrade() else { return };
                    if run.ended() {
                        return;
                    }
                    if tokio::task::spawn_blocking(move || run.refresh()).await.is_err() {
                        return;
                    }
                }
            });
        }
        run
    }

    /// After a restart, once the stored experiments are back: each room's last class
    /// experiment is its class experiment again, ended (a restored experiment is
    /// closed and its phones are gone), so the room shows its summary and its link.
    /// Returns one line per room for the server log.
    pub fn restore(&self, rooms: &Rooms, experiments: &Experiments) -> Vec<String> {
        let mut lines = Vec::new();
        for room in rooms.all() {
            let Some(id) = room.class_experiment() else { continue };
            let Some(experiment) = experiments.get(id) else {
                lines.push(format!("room {}: class experiment {id} not restored", room.code()));
                continue;
            };
            let run = Arc::new(ClassRun {
                room: room.code().to_string(),
                experiment,
                pacing: Map::new(),
                state: Mutex::new(ClassState { phones: Vec::new(), version: 1, ended: true }),
                notify: self.notify.clone(),
            });
            lock(&self.by_room).insert(room.code().to_string(), run);
            lines.push(format!("room {}: class experiment {id} restored, ended", room.code()));
        }
        self.notify.notify_waiters();
        lines
    }

    /// Woken at every change.
    pub fn signal(&self) -> Arc<Notify> {
        self.notify.clone()
    }
}

/// The varied parameters of every setting, for the projector's labels.
pub fn settings(plan: &Plan) -> Vec<Params> {
    (0..plan.group_count()).filter_map(|g| plan.group(g)).map(|g| g.varied().clone()).collect()
}

fn unix_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phones(n: u64) -> ClassState {
        let phones = (1..=n)
            .map(|number| Phone { token: format!("t{number}"), number, name: None, tasks: Vec::new() })
            .collect();
        ClassState { phones, version: 1, ended: false }
    }

    #[test]
    fn new_phones_alternate_settings_up_to_the_cap_and_a_finished_class_hands_nothing() {
        assert_eq!(may_run(&phones(0), 2, None).unwrap(), Next::Hand { phone: None, group: 0 });
        assert_eq!(may_run(&phones(1), 2, None).unwrap(), Next::Hand { phone: None, group: 1 });
        assert_eq!(may_run(&phones(1), 2, Some("unknown")).unwrap(), Next::Hand { phone: None, group: 1 });
        assert_eq!(may_run(&phones(3), 2, Some("t2")).unwrap(), Next::Hand { phone: Some(1), group: 1 });
        assert!(matches!(may_run(&phones(MAX_PHONES), 2, None), Err(ClassError::Full(_))));
        assert!(may_run(&phones(MAX_PHONES), 2, Some("t5")).is_ok(), "a phone already in goes on");
        let mut ended = phones(1);
        ended.ended = true;
        assert!(matches!(may_run(&ended, 2, Some("t1")), Err(ClassError::Over)));
    }

    #[test]
    fn the_plan_is_the_settings_without_seed_and_pacing_and_the_compared_values() {
        let params = json!({"formula": "C8H18", "steps_per_cycle": 300, "seed": 5, "steps_per_event": 10});
        let compare = json!({"name": "steps_per_cycle", "value": 3000});
        let (plan, pacing) = plan_of(&params, Some(&compare)).unwrap();
        assert_eq!(
            plan,
            json!({"base": {"formula": "C8H18"}, "vary": {"steps_per_cycle": [300, 3000]},
                   "seeds": {"start": 5, "count": MAX_PHONES}})
        );
        assert_eq!(Value::Object(pacing), json!({"steps_per_event": 10}));
        let same = json!({"name": "steps_per_cycle", "value": 300.0});
        assert_eq!(plan_of(&params, Some(&same)).unwrap_err().field, "compare.value");
        let (plan, _) = plan_of(&json!({"formula": "C8H18"}), None).unwrap();
        assert_eq!(plan["seeds"]["start"], 1, "no seed given: from 1");
        assert!(plan.get("vary").is_none());
    }

    #[test]
    fn a_typed_name_is_trimmed_and_bounded() {
        assert_eq!(clean_name("  Ada ").unwrap(), Some("Ada".into()));
        assert_eq!(clean_name("   ").unwrap(), None);
        assert!(clean_name(&"é".repeat(MAX_NAME_CHARS)).unwrap().is_some(), "characters, not bytes");
        assert!(
            matches!(clean_name(&"x".repeat(MAX_NAME_CHARS + 1)), Err(ClassError::Param(e)) if e.field == "name")
        );
        assert!(matches!(clean_name("a\nb"), Err(ClassError::Param(_))));
    }
}
