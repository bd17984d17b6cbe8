//! [`Server`]: the library's entry point. A builder collects the problem kinds
//! (the built-in ones, plus any a library user registers with
//! [`ServerBuilder::kind`]); the server then binds, serves the API and the page, and
//! stops gracefully. `cli::serve` is the command-line shell over it.
//!
//! Connections are accepted by [`crate::http::connections`] (header-read timeout,
//! a cap under the open-file limit) and every request passes [`crate::http::edge`]
//! (origin check, HEAD, `Allow`) before warp's routes.
//!
//! Once bound, [`Reach`] works out every URL the server answers at (printed:
//! local and network) and the address the links for phones use; listening on
//! loopback only, it prints the command that shares the server instead.
//!
//! Trust (docs/protocol.md, "Trust"): listening on more than loopback, or with
//! `--classroom`, the server is in classroom mode: it has a teacher key
//! ([`crate::key`]) and only its holder creates sessions, rooms and experiments.
//! The printed Local URL carries the key (`/?key=...`), as Jupyter's token URL
//! does; the Network URLs and every watch link never do. `--open` lets anyone
//! create again, under the budgets ([`Budgets`]); the key then only marks the
//! teacher's reserved share.
//!
//! Sessions are kept in the store under [`ServeOptions::data_dir`] (DESIGN.md
//! section 8): at start the store is opened (a bad file is moved aside and
//! reported, any other failure is reported and the server keeps sessions in
//! memory only), and the stored sessions are rebuilt on blocking threads after the
//! port is bound and before the first request is answered, so a page reconnecting
//! meanwhile waits in the listen queue instead of meeting a 404. One line per
//! session restored or refused goes to stderr.
//!
//! Shutdown is a `watch` channel turned true once: the purge task stops, every
//! open stream sends `shutdown` and ends, the accept loop stops and lets the
//! connections finish, and after [`ServeOptions::shutdown_grace`] whatever is left
//! is dropped, so the process exits within about two seconds whatever clients do.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::http::client::WithClient;
use crate::http::connections::{ConnectionLimits, connection_cap, raise_open_file_limit};
use crate::http::edge::Edge;
use crate::http::reach::Reach;
use crate::http::{Api, routes};
use crate::kinds::{Kind, Registry};
use crate::live::budget::Budgets;
use crate::live::experiments::Experiments;
use crate::live::rooms::Rooms;
use crate::live::work::Work;
use crate::live::{Limits, Restored, Sessions};
use crate::store::{DEFAULT_WINDOW, DataDir, Store, StoreWriter};

/// A Kiln server's problem kinds: `Server::builder().kind(MyKind).build()`.
#[derive(Clone)]
pub struct Server {
    registry: Arc<Registry>,
}

/// Collects the kinds of a [`Server`].
pub struct ServerBuilder {
    registry: Registry,
}

impl Server {
    /// A builder that starts with the built-in kinds.
    pub fn builder() -> ServerBuilder {
        ServerBuilder { registry: Registry::builtin() }
    }

    /// The kinds this server offers.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// Bind and return the bound address and the server future, which resolves once
    /// `shutdown` has resolved and the connections are done (or the grace is over).
    pub async fn bind(
        &self,
        options: ServeOptions,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(SocketAddr, impl Future<Output = ()> + Send + 'static), ServeError> {
        let bound = bind_with(self.registry.clone(), options, shutdown).await?;
        Ok((bound.addr, bound.server))
    }

    /// Run until Ctrl-C or SIGTERM: prints `Listening on http://HOST:PORT/` once
    /// bound and opens the browser if asked.
    pub fn serve_blocking(&self, options: ServeOptions) -> Result<(), ServeError> {
        serve_blocking_with(self.registry.clone(), options)
    }
}

impl Default for Server {
    /// The built-in kinds.
    fn default() -> Self {
        Server::builder().build()
    }
}

impl ServerBuilder {
    /// Offer `kind` too (in place of a kind of the same name).
    pub fn kind(mut self, kind: impl Kind) -> Self {
        self.registry = self.registry.with(kind);
        self
    }

    /// Offer only the kinds added after this call.
    pub fn without_builtin_kinds(mut self) -> Self {
        self.registry = Registry::empty();
        self
    }

    /// The server.
    pub fn build(self) -> Server {
        Server { registry: Arc::new(self.registry) }
    }
}

/// Everything `kiln serve` can be told.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Address to listen on (port 0 picks a free one).
    pub addr: SocketAddr,
    /// Most sessions at once.
    pub max_sessions: usize,
    /// Idle time after which a session without viewers is removed.
    pub session_ttl: Duration,
    /// Most open streams of one session.
    pub max_streams_per_session: usize,
    /// Most open streams over all sessions.
    pub max_streams: usize,
    /// Events kept per session for reconnecting viewers.
    pub history: usize,
    /// Skip the control-token check (trusted setups).
    pub no_auth: bool,
    /// Allow cross-origin requests from this origin (CORS), e.g. `http://localhost:3000`.
    pub allow_origin: Option<String>,
    /// Open the page in a browser once listening (`--browser`).
    pub open_browser: bool,
    /// Time connections get to finish after the shutdown signal.
    pub shutdown_grace: Duration,
    /// Silence after which a stream sends a keep-alive comment.
    pub keep_alive: Duration,
    /// Classroom mode even on loopback (`--classroom`); listening on more than
    /// loopback it is the default unless `open`.
    pub classroom: bool,
    /// Anyone may create sessions, rooms and experiments, under the budgets (`--open`).
    pub open: bool,
    /// The teacher key (`--key`); `None` keeps one in the data directory or makes one.
    pub key: Option<String>,
    /// What one client may hold, and the server-wide stream limit.
    pub budgets: Budgets,
    /// Most open connections (lowered to fit the open-file limit).
    pub max_connections: usize,
    /// A request head must arrive within this; also the keep-alive idle timeout.
    pub header_read_timeout: Duration,
    /// No log line per session event on stderr (`--quiet`).
    pub quiet: bool,
    /// Where sessions are kept across restarts; [`DataDir::None`] (the default
    /// here; `kiln serve` defaults to the per-user directory) keeps nothing.
    pub data_dir: DataDir,
    /// Most bytes the store's files may take ([`crate::store::DEFAULT_QUOTA`]).
    pub store_quota: u64,
}

impl Default for ServeOptions {
    fn default() -> Self {
        let limits = Limits::default();
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_sessions: limits.max_sessions,
            session_ttl: limits.session_ttl,
            max_streams_per_session: limits.max_streams_per_session,
            max_streams: limits.max_streams,
            history: limits.history,
            no_auth: false,
            allow_origin: None,
            open_browser: false,
            shutdown_grace: Duration::from_millis(1500),
            keep_alive: limits.keep_alive,
            classroom: false,
            open: false,
            key: None,
            budgets: Budgets::default(),
            max_connections: 8192,
            header_read_timeout: Duration::from_secs(10),
            quiet: false,
            data_dir: DataDir::None,
            store_quota: crate::store::DEFAULT_QUOTA,
        }
    }
}

impl ServeOptions {
    /// Whether the server has a teacher key once bound at `addr`: in classroom mode
    /// (`--classroom`, or listening on more than loopback without `--open`), with
    /// `--open` on the network (the key marks the teacher's share), or when given.
    pub fn has_key(&self, addr: SocketAddr) -> bool {
        self.classroom || self.key.is_some() || !addr.ip().is_loopback()
    }

    /// Whether only the teacher creates once bound at `addr` (classroom mode).
    pub fn classroom_mode(&self, addr: SocketAddr) -> bool {
        self.has_key(addr) && !self.open
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address is taken or not ours.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// `--allow-origin` is not an origin.
    #[error("--allow-origin '{0}' is not an origin such as http://localhost:3000")]
    Origin(String),
}

/// [`Server::bind`] with the built-in kinds.
pub async fn bind(
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(SocketAddr, impl Future<Output = ()> + Send + 'static), ServeError> {
    let bound = bind_with(Arc::new(Registry::builtin()), options, shutdown).await?;
    Ok((bound.addr, bound.server))
}

/// A bound server: where it listens, the classroom key if any, and the future that
/// serves until shutdown.
struct Bound<F> {
    addr: SocketAddr,
    reach: Reach,
    server_key: Option<String>,
    server: F,
}

async fn bind_with(
    registry: Arc<Registry>,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Bound<impl Future<Output = ()> + Send + 'static>, ServeError> {
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|source| ServeError::Bind { addr: options.addr, source })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind { addr: options.addr, source })?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let limits = Limits {
        max_sessions: options.max_sessions,
        max_streams: options.max_streams,
        max_streams_per_session: options.max_streams_per_session,
        session_ttl: options.session_ttl,
        history: options.history,
        keep_alive: options.keep_alive,
        budgets: options.budgets.clone(),
        ..Limits::default()
    };
    if let Some(origin) = &options.allow_origin
        && !(origin.starts_with("http://") || origin.starts_with("https://"))
    {
        return Err(ServeError::Origin(origin.clone()));
    }
    let server_key =
        options.has_key(addr).then(|| crate::key::teacher_key(options.key.as_deref(), &options.data_dir));
    crate::live::log::set_quiet(options.quiet);
    let reach = Reach::of(addr);
    let store = open_store(&options.data_dir);
    let writer = Arc::new(StoreWriter::spawn(store.clone(), DEFAULT_WINDOW));
    writer.set_quota(options.store_quota);
    let sessions = Sessions::with_store(limits, stop_rx.clone(), writer.clone());
    let rooms = Rooms::with_budgets(writer.clone(), &options.budgets);
    let linked_rooms = rooms.clone();
    let restoring = restore(&registry, &sessions, &rooms, store).await;
    // Stored experiments are rebuilt once the server answers (below); a request for
    // one waits until then.
    let experiments = Experiments::new(registry.clone(), stop_rx.clone(), writer);
    experiments.expect_restore();
    let api = Api::new(registry, sessions.clone(), options.no_auth)
        .with_server_key(server_key.clone())
        .with_open(options.open)
        .with_work(Work::new(Work::default_workers()))
        .with_reach(reach.clone())
        .with_rooms(rooms)
        .with_experiments(experiments.clone());
    // Each request runs in its client's scope (the work pool's shares): the edge puts
    // the client's address on it, then `WithClient` reads it.
    let classes = api.classes().clone();
    let edge = Edge::new(
        WithClient::new(
            hyper_util::service::TowerToHyperService::new(warp::service(routes(api))),
            server_key.clone(),
        ),
        options.allow_origin.clone().map(|o| o.trim_end_matches('/').to_string()),
    );
    let connections = ConnectionLimits {
        header_read_timeout: options.header_read_timeout,
        max_connections: connection_cap(options.max_connections, raise_open_file_limit()),
        per_client: options.budgets.connections_per_client,
    };
    let grace = options.shutdown_grace;
    let server = async move {
        let purge = tokio::spawn(sessions.clone().purge_task());
        let experiments_restored = tokio::task::spawn_blocking(move || {
            for line in experiments.restore() {
                eprintln!("kiln: {line}");
            }
            // Rooms link to their class experiments once those are back.
            for line in classes.restore(&linked_rooms, &experiments) {
                eprintln!("kiln: {line}");
            }
        });
        let signal = {
            let mut stop = stop_rx.clone();
            async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            }
        };
        let served =
            crate::http::connections::serve(listener, |peer| edge.for_peer(peer), connections, signal);
        let trigger = async move {
            shutdown.await;
            let _ = stop_tx.send(true);
            // Keep the sender alive so receivers see `true`, and bound the wait.
            tokio::time::sleep(grace).await;
            drop(stop_tx);
        };
        tokio::pin!(served);
        tokio::pin!(trigger);
        tokio::select! {
            _ = &mut served => {}
            _ = &mut trigger => {}
        }
        purge.abort();
        // A replay still running sees the stop signal at its next frame boundary.
        let _ = restoring.await;
        let _ = experiments_restored.await;
        let flushing = sessions.clone();
        if let Ok(Err(e)) = tokio::task::spawn_blocking(move || flushing.flush_store()).await {
            eprintln!("kiln: {e}");
        }
    };
    Ok(Bound { addr, reach, server_key, server })
}

/// The store `data_dir` names. A bad file is moved aside and reported; a store
/// that cannot be opened at all is reported and sessions are kept in memory only.
fn open_store(data_dir: &DataDir) -> Store {
    match Store::open_data_dir(data_dir) {
        Ok((store, None)) => store,
        Ok((store, Some(recovery))) => {
            eprintln!("kiln: {recovery}");
            store
        }
        Err(e) => {
            eprintln!("kiln: {e}; sessions will not survive a restart");
            Store::none()
        }
    }
}

/// Bring back what the store holds. Before the server answers: the stored sessions
/// are marked as being rebuilt and the rooms restored (both quick). Then, on a
/// blocking thread while the server answers, each session is rebuilt by replay
/// (up to 10^8 steps each), with one log line as each is done; the returned task
/// ends when all are, or soon after the server starts stopping.
async fn restore(
    registry: &Arc<Registry>,
    sessions: &Sessions,
    rooms: &Rooms,
    store: Store,
) -> tokio::task::JoinHandle<()> {
    let (records, room_lines) = {
        let (sessions, rooms) = (sessions.clone(), rooms.clone());
        tokio::task::spawn_blocking(move || {
            let records = store.list_sessions().unwrap_or_else(|e| {
                eprintln!("kiln: cannot read the stored sessions: {e}");
                Vec::new()
            });
            sessions.expect(&records);
            let room_lines = match store.list_rooms() {
                Ok(records) => rooms.restore(records, &sessions),
                Err(e) => vec![format!("cannot read the stored rooms: {e}")],
            };
            (records, room_lines)
        })
        .await
        .unwrap_or_default()
    };
    for line in room_lines {
        crate::live::log::note(&line);
    }
    let (registry, sessions) = (registry.clone(), sessions.clone());
    tokio::task::spawn_blocking(move || {
        sessions.restore(&registry, records, |outcome| match outcome {
            Restored::Session { id, step, state } => match sessions.get(id) {
                Ok(session) => {
                    session.set_label(registry.describe(session.spec()));
                    crate::live::log::restored(&session);
                }
                Err(_) => crate::live::log::note(&format!("session {id} restored at step {step} ({state})")),
            },
            Restored::Refused { id, reason } => {
                crate::live::log::note(&format!("session {id} not restored: {reason}"))
            }
        })
    })
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM.
pub async fn termination() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// [`Server::serve_blocking`] with the built-in kinds.
pub fn serve_blocking(options: ServeOptions) -> Result<(), ServeError> {
    serve_blocking_with(Arc::new(Registry::builtin()), options)
}

fn serve_blocking_with(registry: Arc<Registry>, options: ServeOptions) -> Result<(), ServeError> {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(ServeError::Runtime)?;
    let open = options.open_browser;
    let open_to_all = options.open;
    let result = runtime.block_on(async {
        let Bound { reach, server_key, server, .. } = bind_with(registry, options, termination()).await?;
        let url = reach.local_url();
        println!("Listening on {url}");
        let with_key = |url: String| match &server_key {
            Some(key) => format!("{url}?key={key}"),
            None => url,
        };
        for (label, other) in reach.urls() {
            let shown = if label == "Local" { with_key(other) } else { other };
            println!("  {label:<8} {shown}");
        }
        if let Some(hint) = reach.share_hint() {
            println!("  {} {}", hint.message, hint.command);
        }
        if server_key.is_some() {
            println!(
                "  The teacher opens the Local URL (it carries the teacher key; the page keeps it and hides it). {}",
                if open_to_all { "--open: anyone may create runs, under the budgets." } else { "Students watch and join rooms; only the teacher creates." }
            );
        }
        let page = with_key(url);
        if open {
            open_browser(&page);
        }
        server.await;
        Ok(())
    });
    // Frames in flight are bounded (250 ms); don't wait longer for blocking threads.
    runtime.shutdown_timeout(Duration::from_millis(300));
    result
}

/// Ask the desktop to open `url`; failures are reported, not fatal.
fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", url])
    } else {
        ("xdg-open", vec![url])
    };
    if let Err(e) = std::process::Command::new(command.0)
        .args(&command.1)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("could not open a browser ({e}); open {url} yourself");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(addr: &str) -> SocketAddr {
        addr.parse().expect("address")
    }

    #[test]
    fn a_network_address_is_classroom_mode_unless_open() {
        let options = ServeOptions::default();
        assert!(options.classroom_mode(at("0.0.0.0:8080")), "the README's command");
        assert!(options.classroom_mode(at("192.168.1.20:8080")));
        assert!(!options.classroom_mode(at("127.0.0.1:8080")), "loopback: the machine's own user creates");
        let open = ServeOptions { open: true, ..ServeOptions::default() };
        assert!(!open.classroom_mode(at("0.0.0.0:8080")));
        assert!(open.has_key(at("0.0.0.0:8080")), "--open on the network still names the teacher");
        let classroom = ServeOptions { classroom: true, ..ServeOptions::default() };
        assert!(classroom.classroom_mode(at("127.0.0.1:8080")));
    }
}
