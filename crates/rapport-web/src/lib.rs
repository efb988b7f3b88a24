//! Rapport's HTTP server.
//!
//! [`app`] builds the router (so tests can call it without a socket) and [`run`] serves it on a
//! listener until `shutdown` resolves. Routes:
//! - `GET /healthz`: liveness, no login;
//! - `GET /metrics`: Prometheus text;
//! - `/api/v1/...`: the JSON API, behind a bearer token.
//!
//! Architecture invariant: only this crate knows HTTP; every answer comes from an engine use
//! case, and API types are this crate's own DTOs, not the domain types.

mod api;
mod auth;
mod error;
mod observe;

pub use error::ApiError;

use axum::{Router, middleware, routing::get};
use rapport_engine::Engine;
use std::future::Future;
use std::sync::Arc;
use tower_http::limit::RequestBodyLimitLayer;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub engine: Arc<Engine>,
    api_token: Arc<str>,
    max_body_bytes: usize,
}

impl AppState {
    pub fn new(engine: Arc<Engine>, api_token: String, max_body_bytes: usize) -> Self {
        Self {
            engine,
            api_token: api_token.into(),
            max_body_bytes,
        }
    }
}

/// A fresh random API token (256 bits, hex).
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

pub fn app(state: AppState) -> Router {
    let api = api::routes().route_layer(middleware::from_fn_with_state(
        state.clone(),
        auth::require_token,
    ));
    Router::new()
        .route("/healthz", get(observe::healthz))
        .route("/metrics", get(observe::metrics))
        .nest("/api/v1", api)
        .layer(RequestBodyLimitLayer::new(state.max_body_bytes))
        .layer(middleware::from_fn(observe::track))
        .with_state(state)
}

/// Serves `app(state)` until `shutdown` resolves, then finishes the requests in flight.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
