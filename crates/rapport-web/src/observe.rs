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

/// Who may read `/metrics`. The figures say how busy the service is and what it holds, so by
/// default only the machine itself may scrape them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsAccess {
    /// Clients that may scrape without a token (addresses or networks). Default: loopback.
    pub allow: Vec<ipnet::IpNet>,
    /// A scraper presenting `Authorization: Bearer <token>` may scrape from anywhere.
    pub token: Option<String>,
}

impl Default for MetricsAccess {
    fn default() -> Self {
        Self {
            allow: vec![
                "127.0.0.0/8".parse().expect("a network"),
                "::1/128".parse().expect("a network"),
            ],
            token: None,
        }
    }
}

impl MetricsAccess {
    fn admits(&self, request: &Request, trusted_proxies: &[ipnet::IpNet]) -> bool {
        let headers = request.headers();
        if let Some(token) = self.token.as_deref().filter(|t| !t.is_empty()) {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            if crate::auth::csrf::same(presented, token) {
                return true;
            }
        }
        let Some(peer) = crate::serve::peer(request.extensions()) else {
            return false;
        };
        let via_trusted = trusted_proxies.iter().any(|net| net.contains(&peer));
        // A proxy nobody configured (say, a web server on the same machine) makes every
        // visitor look local: a forwarded request only counts by address through a trusted one.
        let forwarded = ["forwarded", "x-forwarded-for", "x-real-ip"]
            .iter()
            .any(|h| headers.contains_key(*h));
        if forwarded && !via_trusted {
            return false;
        }
        let client = crate::auth::client::client_address(Some(peer), headers, trusted_proxies);
        client
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| self.allow.iter().any(|net| net.contains(&ip)))
    }
}

/// `GET /metrics`: Prometheus text, for the clients [`MetricsAccess`] admits; 403 for others.
pub async fn metrics(State(state): State<AppState>, request: Request) -> Response {
    if !state
        .config
        .metrics
        .admits(&request, &state.config.trusted_proxies)
    {
        return (
            axum::http::StatusCode::FORBIDDEN,
            "metrics are served to the addresses in server.metrics_allow, \
             or with the token in server.metrics_token\n",
        )
            .into_response();
    }
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
    if let Some(board) = &state.channels {
        text.push_str(&channel_gauges(&board.snapshot()));
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

/// Per channel: its state (1 for the state it is in), posts per minute, reconnects today, reads
/// this month and the read budget (-1 without one), and
/// the age of its cursor.
fn channel_gauges(channels: &[rapport_engine::listen::ChannelHealth]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if channels.is_empty() {
        return out;
    }
    let now = chrono::Utc::now();
    out.push_str("# TYPE rapport_channel_state gauge\n");
    for c in channels {
        for state in ["new", "connected", "reconnecting", "failing", "paused"] {
            let on = u8::from(c.state.as_str() == state);
            let _ = writeln!(
                out,
                "rapport_channel_state{{channel=\"{}\",network=\"{}\",state=\"{state}\"}} {on}",
                label(&c.name),
                c.network
            );
        }
    }
    let mut rows: [(&str, Vec<i64>); 5] = [
        ("posts_per_minute", Vec::new()),
        ("reconnects_today", Vec::new()),
        ("cursor_age_seconds", Vec::new()),
        ("reads_this_month", Vec::new()),
        ("read_budget", Vec::new()),
    ];
    for c in channels {
        rows[0].1.push(c.posts_per_minute as i64);
        rows[1].1.push(c.reconnects_today as i64);
        // -1 until a first checkpoint is saved.
        rows[2]
            .1
            .push(c.cursor_at.map_or(-1, |at| (now - at).num_seconds()));
        rows[3].1.push(c.reads_this_month as i64);
        // -1 when the channel has no budget.
        rows[4].1.push(c.read_budget.map_or(-1, |b| b as i64));
    }
    for (metric, values) in rows {
        let _ = writeln!(out, "# TYPE rapport_channel_{metric} gauge");
        for (c, value) in channels.iter().zip(values) {
            let _ = writeln!(
                out,
                "rapport_channel_{metric}{{channel=\"{}\"}} {value}",
                label(&c.name)
            );
        }
    }
    out
}

/// A Prometheus label value: backslashes, quotes and newlines escaped.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
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

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_domain::channel::ChannelState;
    use rapport_engine::listen::ChannelHealth;

    #[test]
    fn each_channel_has_its_state_rate_reconnects_and_cursor_age() {
        let health = |name: &str, state, cursor_at| ChannelHealth {
            name: name.into(),
            network: rapport_domain::Network::Mastodon,
            state,
            last_error: None,
            last_error_at: None,
            cursor: None,
            cursor_at,
            posts_per_minute: 12,
            posts_total: 40,
            reconnects_today: 3,
            reads_this_month: 250,
            read_budget: Some(10_000),
        };
        let text = channel_gauges(&[
            health(
                "sup\"port",
                ChannelState::Connected,
                Some(chrono::Utc::now()),
            ),
            health("x", ChannelState::Failing, None),
        ]);
        for line in [
            "rapport_channel_state{channel=\"sup\\\"port\",network=\"mastodon\",state=\"connected\"} 1",
            "rapport_channel_state{channel=\"sup\\\"port\",network=\"mastodon\",state=\"failing\"} 0",
            "rapport_channel_state{channel=\"x\",network=\"mastodon\",state=\"failing\"} 1",
            "rapport_channel_posts_per_minute{channel=\"x\"} 12",
            "rapport_channel_reconnects_today{channel=\"x\"} 3",
            "rapport_channel_cursor_age_seconds{channel=\"x\"} -1",
            "rapport_channel_cursor_age_seconds{channel=\"sup\\\"port\"} 0",
            "rapport_channel_reads_this_month{channel=\"x\"} 250",
            "rapport_channel_read_budget{channel=\"x\"} 10000",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
        assert_eq!(channel_gauges(&[]), "");
    }
}
