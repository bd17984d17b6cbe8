//! [`LiveError`]: why a session operation cannot be done, in the session's own
//! terms. `http::error` maps each case to a status code; live/ knows nothing of HTTP.

use uuid::Uuid;

use super::state::SessionState;

/// A session operation that cannot be done.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LiveError {
    /// No session with this id (never created, deleted, or expired).
    #[error("no session {0}; it may have expired or been deleted")]
    UnknownSession(Uuid),
    /// A stored session the server is still rebuilding after a restart.
    #[error("session {0} is being rebuilt after a restart; try again in a moment")]
    Restoring(Uuid),
    /// A control call that does not apply in the session's state.
    #[error("cannot {action} a session that is {state}")]
    InvalidTransition {
        /// The control action asked for.
        action: &'static str,
        /// The state the session is in.
        state: SessionState,
    },
    /// A server-wide or per-session limit is reached.
    #[error("{0}")]
    TooMany(String),
    /// The store is at its quota: no new work that would be kept.
    #[error("{0}")]
    StoreFull(String),
    /// Every worker for long work is busy past the request's deadline.
    #[error("the server is busy with other runs; try again in a moment")]
    Busy,
    /// A worker failed (a bug; never expected).
    #[error("a worker failed: {0}")]
    Failed(String),
}
