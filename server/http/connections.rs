//! Accepting and serving connections, with the limits warp's own `serve` has no knob
//! for: a header-read timeout, a cap on open connections, and room in the process's
//! open-file limit.
//!
//! warp 0.4 serves each connection with hyper-util's builder but sets no timer, so
//! hyper's header-read timeout never runs: an idle or half-sent socket stays open for
//! good, and about a thousand of them use up a laptop's usual soft limit of 1,024 open
//! files, after which nothing (not even `/health`) can be accepted. So Kiln runs the
//! accept loop itself over warp's routes (`warp::service`):
//!
//! * [`raise_open_file_limit`] lifts the soft limit to the hard limit at start, as
//!   most servers do, so the cap below is what limits connections, not the OS;
//! * every connection gets hyper's `header_read_timeout`: a request head must arrive
//!   within it, which also closes a kept-alive connection that sits idle that long
//!   (hyper restarts the timer when it waits for the next request);
//! * a semaphore caps open connections below the open-file limit; at the cap the
//!   loop stops accepting (new sockets wait in the kernel's backlog) until one closes,
//!   which the timeout guarantees for idle and half-sent ones;
//! * graceful shutdown: stop accepting, let hyper finish each connection's current
//!   response (streams end themselves on the shutdown signal).
//!
//! hyper answers a request it cannot parse (bad request line, headers over its limit)
//! itself, with an empty body; no route sees it, so those answers are not JSON.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use warp::hyper::body::Incoming;
use warp::hyper::service::Service;
use warp::hyper::{Request, Response};

use super::client::WithPeer;

/// Open files kept free for everything that is not a client connection (the
/// listener, blocking threads, the runtime's own descriptors).
const RESERVED_FILES: u64 = 128;

/// How connections are limited.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// A request head must arrive within this (also the keep-alive idle timeout).
    pub header_read_timeout: Duration,
    /// Most connections open at once.
    pub max_connections: usize,
}

/// Raise the soft open-file limit to the hard limit (Unix); returns the soft limit
/// now in force, or `None` where there is no such limit to read.
pub fn raise_open_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let _ = rlimit::increase_nofile_limit(u64::MAX);
        rlimit::getrlimit(rlimit::Resource::NOFILE).ok().map(|(soft, _)| soft)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The connection cap that fits an open-file limit: the limit less a reserve, at most
/// `wanted`, at least 16.
pub fn connection_cap(wanted: usize, open_file_limit: Option<u64>) -> usize {
    match open_file_limit {
        Some(limit) => {
            let room = usize::try_from(limit.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX);
            wanted.min(room).max(16)
        }
        None => wanted,
    }
}

/// Serve `service` on `listener` until `shutdown` resolves, then stop accepting and
/// wait for the open connections to finish (the caller bounds that wait).
pub async fn serve<S, B>(
    listener: TcpListener,
    service: S,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: warp::hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => (stream, peer.ip()),
                Err(e) => {
                    // Out of file descriptors or a connection reset before accept:
                    // back off a little instead of spinning, then go on.
                    if !is_connection_error(&e) {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let connection = warp::hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .serve_connection(TokioIo::new(stream), WithPeer::new(service.clone(), Some(peer)));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_a_reserve_below_the_open_file_limit() {
        assert_eq!(connection_cap(10_000, Some(1024)), 1024 - 128);
        assert_eq!(connection_cap(512, Some(1024)), 512);
        assert_eq!(connection_cap(10_000, Some(100)), 16);
        assert_eq!(connection_cap(300, None), 300);
    }
}
