//! The accept loop: [`run`] serves the app on a listener with the limits a server facing the
//! internet needs.
//!
//! - **Header read timeout.** A connection that does not finish sending a request's headers in
//!   time is closed: a silent connection, or one that trickles a byte now and then, would
//!   otherwise hold its slot for ever.
//! - **Request timeout.** A request whose answer has not started within the limit gets 408.
//!   Streams (the inbox's and the case page's server-sent events) are not cut: the limit is on
//!   the time to the answer's head, not on the length of its body.
//! - **Connection cap.** At most `max_connections` connections are served at once; further
//!   clients wait in the listen backlog until one closes, so file descriptors and memory stay
//!   bounded whatever arrives.
//!
//! On shutdown the listener is closed and requests in flight may finish, for at most the request
//! timeout (long-lived streams would otherwise hold shutdown open for ever).

use crate::AppState;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::timeout::TimeoutLayer;

/// How long a client may take, and how many may be connected at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Time to receive a request's complete headers (also while a kept-alive connection waits
    /// for its next request).
    pub header_read_timeout: Duration,
    /// Time from a request's headers to the head of its answer (reading the body included).
    pub request_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 1_024,
        }
    }
}

/// Serves `app(state)` until `shutdown` resolves, then lets requests in flight finish (for at
/// most the request timeout). The peer address is kept for the login rate limit.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.config.connections.clone();
    let app = crate::app(state).layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        limits.request_timeout,
    ));
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::error!(error = %e, "accepting a connection failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let service = app
            .clone()
            .map_request(move |mut request: axum::http::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let (builder, watcher) = (builder.clone(), graceful.watcher());
        let first_byte = limits.header_read_timeout;
        tokio::spawn(async move {
            // hyper's header timer starts with the first byte of a request; a client that
            // connects and sends nothing is closed here.
            let mut byte = [0u8; 1];
            if tokio::time::timeout(first_byte, stream.peek(&mut byte))
                .await
                .is_err()
            {
                drop(slot);
                return;
            }
            let connection = builder
                .serve_connection_with_upgrades(
                    TokioIo::new(stream),
                    TowerToHyperService::new(service),
                )
                .into_owned();
            // Errors here are the client's (reset, timed out, malformed): nothing to report.
            let _ = watcher.watch(connection).await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.request_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::info!("shut down with connections still open (event streams)");
    }
    Ok(())
}

/// Errors of one connection that was already gone when accepted: the listener is fine.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// The address of the peer a request came from, as [`run`] records it (`None` for requests
/// handed to the app directly, as tests do).
pub(crate) fn peer(extensions: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}
