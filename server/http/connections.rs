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
//! * a client (peer address) holds at most [`ConnectionLimits::per_client`]
//!   connections, and other clients together at most seven eighths of the cap; the
//!   server's own machine (the teacher's, see `live::budget`) may use all of it. A
//!   connection over its client's budget is answered 429 (`Retry-After`,
//!   `Connection: close`) and closed at once, so keep-alives from one client cannot
//!   fill the cap and `/health` answers;
//! * each connection's service is made for its peer address, which every request on
//!   it carries to the routes (the client, for per-client budgets);
//! * graceful shutdown: stop accepting, let hyper finish each connection's current
//!   response (streams end themselves on the shutdown signal).
//!
//! hyper answers a request it cannot parse (bad request line, headers over its limit)
//! itself, with an empty body; no route sees it, so those answers are not JSON.

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use warp::hyper::body::Incoming;
use warp::hyper::service::Service;
use warp::hyper::{Request, Response};

use crate::live::budget::{Caller, ClientAddr, Tally};

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
    /// Most connections open at once from one client address.
    pub per_client: usize,
}

/// The whole answer to a connection over its client's budget.
const REFUSAL: &[u8] = b"HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\n\
retry-after: 10\r\nconnection: close\r\ncontent-length: 112\r\n\r\n\
{\"error\":{\"code\":\"too_many\",\"message\":\"this client already holds its maximum of open connections\",\"field\":null}}";

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

/// Serve `listener` until `shutdown` resolves, each connection with the service
/// `service_for` makes for its peer address; then stop accepting and wait for the
/// open connections to finish (the caller bounds that wait).
pub async fn serve<S, B>(
    listener: TcpListener,
    service_for: impl Fn(SocketAddr) -> S,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible> + Send + 'static,
    S::Future: Send + 'static,
    B: warp::hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let clients: Tally<IpAddr> = Tally::default();
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
                Ok(accepted) => accepted,
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
        let caller = Caller::new(ClientAddr(peer.ip().to_canonical()), false);
        let Ok(place) = clients.take(&caller, caller.addr, limits.per_client, limits.max_connections) else {
            drop(slot);
            tokio::spawn(refuse(stream));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let connection = warp::hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .serve_connection(TokioIo::new(stream), service_for(peer));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(place);
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Answer a connection over its client's budget with a 429 and close it (within a
/// second, whatever the client does).
async fn refuse(mut stream: tokio::net::TcpStream) {
    use tokio::io::AsyncWriteExt;
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(REFUSAL).await?;
        stream.shutdown().await
    })
    .await;
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
    fn the_refusal_is_a_whole_json_answer() {
        let text = std::str::from_utf8(REFUSAL).expect("text");
        let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
        assert!(head.contains(&format!("content-length: {}", body.len())), "{head}");
        let json: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(json["error"]["code"], "too_many");
    }

    #[test]
    fn the_cap_leaves_a_reserve_below_the_open_file_limit() {
        assert_eq!(connection_cap(10_000, Some(1024)), 1024 - 128);
        assert_eq!(connection_cap(512, Some(1024)), 512);
        assert_eq!(connection_cap(10_000, Some(100)), 16);
        assert_eq!(connection_cap(300, None), 300);
    }
}
