//! Rapport's HTTP server.
//!
//! [`app`] builds the router (so tests can call it without a socket) and [`run`] serves it on a
//! listener until `shutdown` resolves. Routes:
//! - `GET /healthz`: liveness, no login; `GET /metrics`: Prometheus text;
//! - the HTML UI (`pages/`): login, first-run setup, topics, users and API tokens, the care
//!   settings (teams, SLA policies, routing, own accounts, saved replies), the shared inbox
//!   (`/inbox`, with case changes streamed as server-sent events on `/inbox/events`), the case
//!   page (`/cases/{id}`: thread, forms, composer, and who else is on the case streamed on
//!   `/cases/{id}/events`); a browser session lives in the `rapport_session` cookie and every
//!   form carries its CSRF token;
//! - `/api/v1/...`: the JSON API (`api/`), called with `Authorization: Bearer <API token>`,
//!   described by `/api/v1/openapi.json`.
//!
//! Every route declares its [`Access`] in one table ([`route_table`] lists it), and
//! [`Role::can`] decides; callers without a session get the login page (HTML), callers without
//! an API token 401 (API), callers whose role does not allow it 403. Every answer carries
//! headers that keep a browser from running anything but the UI's own script.
//!
//! Architecture invariant: only this crate knows HTTP; every answer comes from an engine use
//! case, and API types are this crate's own DTOs, not the domain types.
//!
//! [`Role::can`]: rapport_domain::Role::can

mod api;
mod assets;
mod auth;
pub mod bench;
mod error;
mod headers;
mod heavy;
mod listening;
mod observe;
mod pages;
mod routes;
mod serve;

pub use auth::ratelimit::LoginLimits;
pub use error::ApiError;
pub use observe::MetricsAccess;
pub use routes::{Access, RouteInfo, Surface};
pub use serve::{ConnectionLimits, run};

use axum::Router;
use axum::http::Method;
use axum::middleware;
use rapport_engine::Engine;
use rapport_engine::accounts::Accounts;
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
    /// Reverse proxies whose `X-Forwarded-For` names the client and whose
    /// `X-Forwarded-Proto: https` makes cookies `Secure` (addresses or networks).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Timeouts and the connection cap of [`run`].
    pub connections: ConnectionLimits,
    /// Expensive requests (searches, backtests, saving a topic) one user may run at once.
    pub heavy_per_user: usize,
    /// Who may read `/metrics`.
    pub metrics: MetricsAccess,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1 << 20,
            secure_cookies: false,
            login_limits: LoginLimits::default(),
            trusted_proxies: Vec::new(),
            connections: ConnectionLimits::default(),
            heavy_per_user: 2,
            metrics: MetricsAccess::default(),
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
    heavy: Arc<heavy::HeavyGate>,
    /// The live channels' health, when this process runs them (for `/metrics` and the
    /// channels page).
    channels: Option<Arc<rapport_engine::listen::HealthBoard>>,
    /// Channel administration (Settings -> Channels); without it the page says how to
    /// enable it.
    channel_admin: Option<Arc<rapport_engine::channels::Channels>>,
    /// Actions agents may still take back (the undo toasts).
    undo: Arc<pages::UndoBook>,
}

impl AppState {
    pub fn new(engine: Arc<Engine>, accounts: Arc<Accounts>, config: WebConfig) -> Self {
        let limiter = Arc::new(auth::ratelimit::LoginLimiter::new(
            config.login_limits.clone(),
        ));
        Self {
            engine,
            accounts,
            heavy: heavy::HeavyGate::new(config.heavy_per_user),
            config: Arc::new(config),
            limiter,
            channels: None,
            channel_admin: None,
            undo: Arc::default(),
        }
    }

    /// Shows the health of the channels this process runs on `/metrics`.
    pub fn with_channels(mut self, health: Arc<rapport_engine::listen::HealthBoard>) -> Self {
        self.channels = Some(health);
        self
    }

    /// Lets admins see, add and remove channels in Settings -> Channels.
    pub fn with_channel_admin(mut self, channels: Arc<rapport_engine::channels::Channels>) -> Self {
        self.channel_admin = Some(channels);
        self
    }
}

/// Builds every route together with its [`RouteInfo`].
fn build(state: &AppState) -> (Router<AppState>, Vec<RouteInfo>) {
    let (pages, mut table) = pages::routes(state);
    let (api, api_table) = api::routes(state);
    let (service, service_table) =
        routes::Table::new(state, "", Surface::Service, routes::unguarded)
            .add(Method::GET, "/healthz", Access::Public, observe::healthz)
            .add(Method::GET, "/metrics", Access::Public, observe::metrics)
            .add(Method::GET, "/assets/{file}", Access::Public, assets::serve)
            .finish();
    table.extend(api_table);
    table.extend(service_table);
    let router = Router::new()
        .merge(pages)
        .nest("/api/v1", api.fallback(api_not_found))
        .merge(service)
        .fallback(pages::not_found);
    (router, table)
}

/// Any `/api/v1/...` path no endpoint serves.
async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        "not_found",
        format!("no endpoint at {}", uri.path()),
    )
}

/// Every route [`app`] serves, with who may call it: the same table the router is built from.
pub fn route_table(state: &AppState) -> Vec<RouteInfo> {
    build(state).1
}

pub fn app(state: AppState) -> Router {
    build(&state)
        .0
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::identify,
        ))
        .layer(RequestBodyLimitLayer::new(state.config.max_body_bytes))
        .layer(middleware::from_fn_with_state(
            headers::Transport {
                https: state.config.secure_cookies,
                trusted_proxies: state.config.trusted_proxies.clone().into(),
            },
            headers::secure,
        ))
        .layer(middleware::from_fn(observe::track))
        .with_state(state)
}
