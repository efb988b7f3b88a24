//! Health, metrics, and the request counter every route goes through.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, http::header};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// The process-wide recorder; installed once, however many servers a process starts (tests).
fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (an embedding program); then ours only
        // renders the store figures below.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

pub async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({"status": "ok"}))
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut text = prometheus().render();
    // Store figures are read at scrape time so they are exact, not sampled.
    if let Ok(s) = state.engine.stats().await {
        for (name, value) in [
            ("posts", s.posts),
            ("conversations", s.conversations),
            ("contacts", s.contacts),
            ("identities", s.identities),
            ("own_accounts", s.own_accounts),
            ("topics", s.topics),
            ("matches", s.matches),
            ("mentions", s.mentions),
        ] {
            text.push_str(&format!(
                "# TYPE rapport_store_{name} gauge\nrapport_store_{name} {value}\n"
            ));
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = request.method().to_string();
    let started = Instant::now();
    prometheus();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("rapport_http_requests_total", "route" => route.clone(), "method" => method, "status" => status).increment(1);
    metrics::histogram!("rapport_http_request_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}
