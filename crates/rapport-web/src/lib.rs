//! Rapport's HTTP server.
//!
//! [`app`] builds the router (so tests can call it without a socket) and [`run`] serves it on a
//! listener until `shutdown` resolves. Routes:
//! - `GET /healthz`: liveness, no login; `GET /metrics`: Prometheus text;
//! - the HTML UI (`pages/`): login, first-run setup, topics, users and API tokens; a browser
//!   session lives in the `rapport_session` cookie and every form carries its CSRF token;
//! - `/api/v1/...`: the JSON API (`api/`), called with `Authorization: Bearer <API token>`,
//!   described by `/api/v1/openapi.json`.
//!
//! Every route names the [`Permission`] it needs, and [`Role::can`] decides; callers without
//! a session get the login page (HTML) or 401 (API), callers whose role does not allow it 403.
//!
//! Architecture invariant: only this crate knows HTTP; every answer comes from an engine use
//! case, and API types are this crate's own DTOs, not the domain types.
//!
//! [`Role::can`]: rapport_domain::Role::can

mod api;
mod assets;
mod auth;
mod error;
mod observe;
mod pages;

pub use auth::ratelimit::LoginLimits;
pub use error::ApiError;

use axum::{Router, middleware, routing::get};
use rapport_engine::Engine;
use rapport_engine::accounts::Accounts;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::limit::RequestBodyLimitLayer;

/// How the server behaves beyond the use cases.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Request bodies larger than this are refused with 413.
    pub max_body_bytes: usize,
    /// Mark cookies `Secure` (serve over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    pub login_limits: LoginLimits,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1 << 20,
            secure_cookies: false,
            login_limits: LoginLimits::default(),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub engine: Arc<Engine>,
    pub accounts: Arc<Accounts>,
    config: Arc<WebConfig>,
    limiter: Arc<auth::ratelimit::LoginLimiter>,
}

impl AppState {
    pub fn new(engine: Arc<Engine>, accounts: Arc<Accounts>, config: WebConfig) -> Self {
        let limiter = Arc::new(auth::ratelimit::LoginLimiter::new(
            config.login_limits.clone(),
        ));
        Self {
            engine,
            accounts,
            config: Arc::new(config),
            limiter,
        }
    }
}

pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes(&state))
        .nest("/api/v1", api::routes(&state))
        .route("/healthz", get(observe::healthz))
        .route("/metrics", get(observe::metrics))
        .route("/assets/{file}", get(assets::serve))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::identify,
        ))
        .layer(RequestBodyLimitLayer::new(state.config.max_body_bytes))
        .layer(middleware::from_fn(observe::track))
        .with_state(state)
}

/// Serves `app(state)` until `shutdown` resolves, then finishes the requests in flight. The
/// peer address is kept for the login rate limit.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
