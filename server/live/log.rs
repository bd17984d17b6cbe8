//! The server's log: one line on stderr per session event that matters to someone
//! troubleshooting a class (created, started, finished, restored, refused), each
//! naming the session by the first 8 characters of its id, its kind and what it
//! anneals (the kind's own one-line description, `Registry::describe`). `kiln serve --quiet`
//! silences them.
//!
//! The quiet switch is process-wide (a private atomic set by [`set_quiet`]) rather
//! than a handle passed to every session: "finished" is noticed deep inside a
//! session's stepping, which holds no server options, and one process runs one
//! server. Lines go to stderr so stdout keeps only the URLs `kiln serve` prints.

use std::sync::atomic::{AtomicBool, Ordering};

use super::session::Session;

static QUIET: AtomicBool = AtomicBool::new(false);

/// Silence (or restore) every line of this log.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// The session's id as logged: its first 8 hexadecimal digits.
pub fn short_id(session: &Session) -> String {
    session.id().simple().to_string()[..8].to_string()
}

/// A configure call made a session.
pub fn created(session: &Session) {
    let total = session.live().latest().progress.snapshot.total_steps;
    line(format!("session {} created: {}, {total} steps", short_id(session), session.label()));
}

/// The owner started (or resumed) a run.
pub fn started(session: &Session) {
    let step = session.live().latest().progress.snapshot.step;
    line(format!("session {} started at step {step}: {}", short_id(session), session.label()));
}

/// A run reached its last step.
pub fn finished(session: &Session) {
    let (step, best) = {
        let live = session.live();
        let progress = &live.latest().progress;
        (progress.snapshot.step, progress.snapshot.best_energy)
    };
    line(format!(
        "session {} finished at step {step}: {}, best energy {best}",
        short_id(session),
        session.label()
    ));
}

/// A session was rebuilt after a restart (the store calls this).
pub fn restored(session: &Session) {
    let step = session.live().latest().progress.snapshot.step;
    line(format!("session {} restored at step {step}: {}", short_id(session), session.label()));
}

/// A call on a session was refused: `what` is the call ("start", "stream"), `status`
/// the HTTP status answered and `reason` the message the client got.
pub fn refused(session: &Session, what: &str, status: u16, reason: &str) {
    line(format!("session {} {what} refused ({status}): {}: {reason}", short_id(session), session.label()));
}

/// A configure call made no session (bad parameters, too many sessions, no key).
pub fn configure_refused(status: u16, reason: &str) {
    line(format!("configure refused ({status}): {reason}"));
}

/// Any other line of this log (a stored session or room not brought back, a room restored).
pub fn note(text: &str) {
    line(text.to_string());
}

fn line(text: String) {
    if !QUIET.load(Ordering::Relaxed) {
        eprintln!("kiln: {}", text.replace(['\r', '\n'], " "));
    }
}
