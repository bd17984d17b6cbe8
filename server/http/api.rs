//! [`Api`]: what every HTTP handler shares (the kinds, the sessions, the auth
//! switch, the classroom key, the pool for long work, rooms, experiments and where
//! phones reach the server), with the small helpers every handler file uses: the
//! reply makers, the path-id parser and the bearer-token checks. The route table
//! is `routes`; handlers in their own files import from here, never from it.
//!
//! The trust model (docs/protocol.md, "Trust") is decided here, in one function:
//! [`may_create`] says whether a request may create a session, a room or an
//! experiment. The teacher is whoever presents the server key; in classroom mode
//! (a key, and not `--open`) only the teacher creates. Budgets are the business of
//! `live::budget`; a handler passes them the [`Caller`] this file works out.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;
use warp::Reply;
use warp::http::{HeaderMap, StatusCode, header};
use warp::reply::Response;

use super::error::ApiError;
use super::reach::{Reach, ShareHint};
use crate::kinds::Registry;
use crate::live::budget::{Caller, ClientAddr, Makers};
use crate::live::class::Classes;
use crate::live::experiments::{Experiments, MAX_RUNNING, Status};
use crate::live::rooms::Rooms;
use crate::live::token::same_token;
use crate::live::work::Work;
use crate::live::{Session, Sessions};

/// Longest a manual `step?n=` runs (waiting for a worker included) before it
/// answers with the step it reached.
pub const STEP_TIME_LIMIT: Duration = Duration::from_secs(5);
/// Longest a configure may wait for a worker and build its problem.
pub const CONFIGURE_TIME_LIMIT: Duration = Duration::from_secs(20);

/// What every handler shares: the problem kinds, the sessions, the auth switch,
/// the classroom key and the pool for long work.
#[derive(Clone)]
pub struct Api {
    pub(super) registry: Arc<Registry>,
    pub(super) sessions: Sessions,
    pub(super) no_auth: bool,
    pub(super) server_key: Option<Arc<str>>,
    /// Anyone may create (`--open`); the key then only names the teacher's share.
    pub(super) open: bool,
    pub(super) work: Work,
    pub(super) rooms: Rooms,
    pub(super) experiments: Experiments,
    /// Who made each running experiment (the per-client budget of experiments).
    experiment_makers: Makers<Uuid>,
    pub(super) reach: Arc<Reach>,
    pub(super) classes: Classes,
}

impl Api {
    /// Handlers over these kinds and sessions; `no_auth` skips the control-token check
    /// (`kiln serve --no-auth`).
    pub fn new(registry: Arc<Registry>, sessions: Sessions, no_auth: bool) -> Self {
        let experiments =
            Experiments::new(registry.clone(), sessions.stop_signal(), sessions.store().clone());
        Api {
            experiments,
            experiment_makers: Makers::default(),
            registry,
            sessions,
            no_auth,
            server_key: None,
            open: false,
            work: Work::new(Work::default_workers()),
            rooms: Rooms::default(),
            reach: Arc::new(Reach::from_interfaces(SocketAddr::from(([127, 0, 0, 1], 0)), &[])),
            classes: Classes::default(),
        }
    }

    /// Where the server can be reached (worked out after binding); links for phones use it.
    pub fn with_reach(mut self, reach: Reach) -> Self {
        self.reach = Arc::new(reach);
        self
    }

    /// The base URL (`http://host:port`) of links for a phone, given the request's
    /// headers: never loopback when the server listens on more ([`Reach::share_base`]).
    pub fn share_base(&self, headers: &HeaderMap) -> String {
        self.reach.share_base(headers.get(header::HOST).and_then(|h| h.to_str().ok()))
    }

    /// Why phones cannot reach the server, and the command that shares it; `None`
    /// when they can.
    pub fn share_hint(&self) -> Option<ShareHint> {
        self.reach.share_hint()
    }

    /// The classroom server key, if any (a teacher's identity for rooms).
    pub(super) fn server_key(&self) -> Option<&str> {
        self.server_key.as_deref()
    }

    /// The teacher's key: creating needs it (classroom mode), unless `open`.
    pub fn with_server_key(mut self, key: Option<String>) -> Self {
        self.server_key = key.map(Arc::from);
        self
    }

    /// `--open`: anyone may create (under the budgets); the key, if any, only gives
    /// the teacher's reserved share.
    pub fn with_open(mut self, open: bool) -> Self {
        self.open = open;
        self
    }

    /// Classroom mode: a server key, and not `--open`.
    pub fn classroom(&self) -> bool {
        self.server_key.is_some() && !self.open
    }

    /// Rooms from this registry (one that keeps them across restarts).
    pub fn with_rooms(mut self, rooms: Rooms) -> Self {
        self.rooms = rooms;
        self
    }

    /// Experiments from this registry (the server's, which it restores at start).
    pub fn with_experiments(mut self, experiments: Experiments) -> Self {
        self.experiments = experiments;
        self
    }

    /// The experiments.
    pub fn experiments(&self) -> &Experiments {
        &self.experiments
    }

    /// 429 when `caller` may not start one more experiment: it runs its budget of
    /// them already, or students together run their share of the server's
    /// [`MAX_RUNNING`] (the experiments' own lock still enforces the limit itself).
    pub(super) fn experiment_place(&self, caller: &Caller) -> Result<(), ApiError> {
        let running = |id: &Uuid| self.experiments.get(*id).is_some_and(|e| e.status() == Status::Running);
        let all_running = self.experiments.all().iter().filter(|e| e.status() == Status::Running).count();
        let per_client = self.sessions.limits().budgets.experiments_per_client;
        self.experiment_makers
            .check(caller, per_client, MAX_RUNNING, all_running, running)
            .map_err(|o| o.refusal("running experiments (wait for one to finish or delete it)").into())
    }

    /// `caller` started experiment `id`.
    pub(super) fn experiment_made(&self, id: Uuid, caller: &Caller) {
        self.experiment_makers.record(id, caller);
    }

    /// Long work goes to this pool.
    pub fn with_work(mut self, work: Work) -> Self {
        self.work = work;
        self
    }

    /// The problem kinds.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// The sessions.
    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// The rooms.
    pub fn rooms(&self) -> &Rooms {
        &self.rooms
    }

    /// The class experiments, one per room.
    pub fn classes(&self) -> &Classes {
        &self.classes
    }

    /// The pool for long work.
    pub fn work(&self) -> &Work {
        &self.work
    }

    /// Whether the token check is off (`--no-auth`).
    pub fn no_auth(&self) -> bool {
        self.no_auth
    }
}

pub(super) fn reply(result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(Reply::into_response)
}

pub(super) fn json_reply(value: &impl serde::Serialize, status: StatusCode) -> Response {
    warp::reply::with_status(warp::reply::json(value), status).into_response()
}

/// A path id as a UUID; 400 otherwise.
pub(super) fn parse_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::BadRequest {
        code: "invalid_session_id",
        message: format!("'{id}' is not a session id (a UUID such as 67e55044-10b1-426f-9247-bb680e5fe0c8)"),
        field: None,
    })
}

/// The `Authorization: Bearer` value, if any.
pub(super) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).map(str::trim)
}

/// Check `Authorization: Bearer <token>` against the session's token; the owner's
/// call keeps the session alive.
pub(super) fn authorize(api: &Api, session: &Session, headers: &HeaderMap) -> Result<(), ApiError> {
    if !api.no_auth {
        let token = bearer(headers).ok_or(ApiError::MissingToken)?;
        if !session.token_matches(token) {
            return Err(ApiError::WrongToken);
        }
    }
    session.touch();
    Ok(())
}

/// What a request may ask to create ([`may_create`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Create {
    /// A session (`POST /api/sa/configure`, and a preview of one).
    Session,
    /// A room (`POST /api/rooms`).
    Room,
    /// An experiment (`POST /api/experiments`).
    Experiment,
    /// A run handed to a student by the teacher's class experiment (DESIGN.md
    /// section 11): students may, since the teacher chose what runs.
    HandedTask,
}

/// The request's client address (put on the request by its connection;
/// [`ClientAddr::LOCAL`] for a request made in-process).
pub(super) fn client() -> impl warp::Filter<Extract = (ClientAddr,), Error = std::convert::Infallible> + Clone
{
    use warp::Filter;
    warp::ext::optional::<ClientAddr>().map(|addr: Option<ClientAddr>| addr.unwrap_or(ClientAddr::LOCAL))
}

/// Who is asking: the client's address, and whether the request presents the
/// server key as `Authorization: Bearer` (then it is the teacher).
pub(super) fn caller(api: &Api, client: ClientAddr, headers: &HeaderMap) -> Caller {
    let teacher = match (&api.server_key, bearer(headers)) {
        (Some(key), Some(presented)) => same_token(key, presented),
        _ => false,
    };
    Caller::new(client, teacher)
}

/// The one decision of the trust model: may this request create `what`? In
/// classroom mode only the teacher (the server key as `Authorization: Bearer`)
/// creates sessions, rooms and experiments: 401 without a key, 403 with a wrong
/// one, each saying how the teacher gets in. A task the teacher's class experiment
/// hands out may be run by anyone. Answers the caller, for the budgets.
pub(super) fn may_create(
    api: &Api,
    client: ClientAddr,
    headers: &HeaderMap,
    what: Create,
) -> Result<Caller, ApiError> {
    let caller = caller(api, client, headers);
    if !api.classroom() || caller.teacher || what == Create::HandedTask {
        return Ok(caller);
    }
    match bearer(headers) {
        None => Err(ApiError::MissingServerKey),
        Some(_) => Err(ApiError::WrongServerKey),
    }
}

pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::Internal(e.to_string()))
}
