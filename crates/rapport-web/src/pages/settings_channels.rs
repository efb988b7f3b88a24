//! Settings -> Channels (admins): each channel's health (state, last error and when, cursor
//! and its age, posts per minute, reconnects today, reads against a monthly budget), the gap
//! report (periods its source could not cover), and forms to connect and remove accounts.
//!
//! Live figures come from the health board of the sources this server runs; when it runs
//! none (`serve --no-sources`, with `rapport listen` elsewhere) the page shows what the store
//! holds (state, last error, cursor) and says so. Credentials are typed into password fields,
//! checked with the network, sealed, and never shown or put back into a form again.

use super::settings_care::{FormPairs, Problem, failed, field};
use crate::AppState;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use rapport_engine::EngineError;
use rapport_engine::accounts::Principal;
use rapport_engine::channels::{
    ChannelInfo, ChannelSpec, Channels, ConnectRequest, MastodonTransport,
};
use rapport_engine::listen::ChannelHealth;
use std::sync::Arc;

/// How many gaps are listed per channel.
const GAPS_SHOWN: u32 = 20;

struct GapRow {
    from: String,
    to: String,
    length: String,
    reason: String,
}

struct ChannelRow {
    name: String,
    network: &'static str,
    target: String,
    state: String,
    last_error: String,
    last_error_at: String,
    cursor: String,
    cursor_age: String,
    posts_per_minute: String,
    reconnects_today: String,
    reads: String,
    gaps: Vec<GapRow>,
}

#[derive(Template)]
#[template(path = "settings_channels.html")]
struct ChannelsPage {
    chrome: Chrome,
    channels: Vec<ChannelRow>,
    /// Whether this server runs the sources (live figures).
    live: bool,
    /// Why channels cannot be added here, when they cannot.
    cannot_add: String,
    /// The form that was refused, its typed (non-secret) values and the error.
    form: String,
    typed: FormPairs,
    problem: Problem,
}

impl ChannelsPage {
    /// What was typed into a non-secret field of the refused form.
    fn typed(&self, form: &str, name: &str) -> &str {
        if self.form == form {
            field(&self.typed, name)
        } else {
            ""
        }
    }
}

fn when(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(String::new, |t| {
        t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
    })
}

/// `3 s`, `5 min`, `2 h 10 min`, `4 d 3 h`.
fn span(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86400 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} d {} h", s / 86400, s % 86400 / 3600),
    }
}

fn target(spec: &ChannelSpec) -> String {
    match spec {
        ChannelSpec::Mastodon {
            instance,
            account,
            transport,
        } => {
            let how = match transport {
                MastodonTransport::Sse => "SSE",
                MastodonTransport::WebSocket => "WebSocket",
            };
            format!("@{account} on {instance} ({how})")
        }
        ChannelSpec::Bluesky {
            handle, firehose, ..
        } => format!("@{handle}, reading {firehose}"),
        ChannelSpec::X { api, account, .. } => match account {
            Some(a) => format!("@{a}, filtered stream of {api}"),
            None => format!("filtered stream of {api}"),
        },
    }
}

async fn row(
    channels: &Channels,
    info: ChannelInfo,
    health: Option<&ChannelHealth>,
) -> Result<ChannelRow, EngineError> {
    let now = Utc::now();
    let gaps = channels
        .gaps(info.id, GAPS_SHOWN)
        .await?
        .into_iter()
        .map(|g| GapRow {
            from: when(Some(g.from)),
            to: when(Some(g.to)),
            length: span((g.to - g.from).num_seconds()),
            reason: g.reason,
        })
        .collect();
    let budget = match &info.spec {
        ChannelSpec::X {
            monthly_read_budget,
            ..
        } => *monthly_read_budget,
        _ => None,
    };
    let reads = match (&info.spec, health) {
        (ChannelSpec::X { .. }, Some(h)) if h.read_budget.is_some() => Some(h.reads_this_month),
        (ChannelSpec::X { .. }, _) => Some(channels.reads_this_month(info.id).await?),
        _ => None,
    };
    let reads = match (reads, budget) {
        (Some(r), Some(b)) => format!("{r} of {b} this month"),
        (Some(r), None) => format!("{r} this month (no budget)"),
        // Only X bills per read.
        _ => String::new(),
    };
    let (state, last_error, last_error_at) = match health {
        Some(h) => (h.state, h.last_error.clone(), h.last_error_at),
        None => (info.state, info.last_error.clone(), info.last_error_at),
    };
    let cursor = info
        .cursor
        .as_ref()
        .map(|c| {
            let text = c.to_string();
            if text.chars().count() > 90 {
                format!("{}…", text.chars().take(90).collect::<String>())
            } else {
                text
            }
        })
        .unwrap_or_default();
    let cursor_at = health.and_then(|h| h.cursor_at).or(info.cursor_at);
    Ok(ChannelRow {
        name: info.name,
        network: info.network.as_str(),
        target: target(&info.spec),
        state: if info.enabled {
            state.to_string()
        } else {
            format!("{state} (disabled)")
        },
        last_error: last_error.unwrap_or_default(),
        last_error_at: when(last_error_at),
        cursor,
        cursor_age: cursor_at.map_or_else(String::new, |at| {
            format!("{} ago", span((now - at).num_seconds()))
        }),
        posts_per_minute: health.map_or("—".into(), |h| h.posts_per_minute.to_string()),
        reconnects_today: health.map_or("—".into(), |h| h.reconnects_today.to_string()),
        reads,
        gaps,
    })
}

async fn page_with(
    state: &AppState,
    p: &Principal,
    status: StatusCode,
    form: &str,
    typed: FormPairs,
    problem: Problem,
) -> Response {
    let chrome = Chrome::for_principal(p, "Channels", "settings");
    let Some(channels) = state.channel_admin.clone() else {
        let page = ChannelsPage {
            chrome,
            channels: Vec::new(),
            live: false,
            cannot_add: "This server was started without channel administration.".into(),
            form: String::new(),
            typed: Vec::new(),
            problem,
        };
        return render(status, &page);
    };
    let health = state
        .channels
        .as_ref()
        .map(|h| h.snapshot())
        .unwrap_or_default();
    let infos = match channels.list().await {
        Ok(list) => list,
        Err(e) => return failed(p, e),
    };
    let mut rows = Vec::with_capacity(infos.len());
    for info in infos {
        let h = health.iter().find(|h| h.name == info.name);
        match row(&channels, info, h).await {
            Ok(r) => rows.push(r),
            Err(e) => return failed(p, e),
        }
    }
    let cannot_add = if channels.can_add() {
        String::new()
    } else {
        "No secret key to encrypt credentials with: set the secret_key setting \
         (RAPPORT_SECRET_KEY, 64 hex characters from `openssl rand -hex 32`) and restart, or \
         add the first channel with `rapport channels add`, which creates one."
            .into()
    };
    render(
        status,
        &ChannelsPage {
            chrome,
            channels: rows,
            live: state.channels.is_some(),
            cannot_add,
            form: form.to_string(),
            typed,
            problem,
        },
    )
}

/// `GET /settings/channels`.
pub async fn list(State(state): State<AppState>, Extension(p): Extension<Principal>) -> Response {
    page_with(
        &state,
        &p,
        StatusCode::OK,
        "",
        Vec::new(),
        Problem::default(),
    )
    .await
}

fn opt(form: &[(String, String)], name: &str) -> Option<String> {
    Some(field(form, name).trim().to_string()).filter(|v| !v.is_empty())
}

/// The request a form asks for, or the field that is wrong.
fn request_of(form: &[(String, String)]) -> Result<ConnectRequest, Problem> {
    let required = |name: &str, label: &str| {
        opt(form, name).ok_or_else(|| Problem::new(name, format!("{label}: required")))
    };
    Ok(match field(form, "network") {
        "mastodon" => ConnectRequest::Mastodon {
            instance: required("instance", "Instance")?,
            transport: match field(form, "streaming") {
                "websocket" => MastodonTransport::WebSocket,
                _ => MastodonTransport::Sse,
            },
        },
        "bluesky" => ConnectRequest::Bluesky {
            pds: required("pds", "PDS")?,
            handle: required("handle", "Handle")?,
            firehose: opt(form, "firehose"),
            plc: opt(form, "plc"),
            compress: field(form, "compress") == "on",
        },
        "x" => ConnectRequest::X {
            api: opt(form, "api"),
            account: opt(form, "account"),
            monthly_read_budget: match opt(form, "budget") {
                None => None,
                Some(b) => Some(b.parse::<u64>().map_err(|_| {
                    Problem::new(
                        "budget",
                        format!("Monthly read budget: '{b}' is not a whole number"),
                    )
                })?),
            },
            enterprise: field(form, "enterprise") == "on",
        },
        other => {
            return Err(Problem::new(
                "network",
                format!("Network: '{other}' is not mastodon, bluesky or x"),
            ));
        }
    })
}

/// `POST /settings/channels`: connects an account (the credential is checked with the
/// network first).
pub async fn add(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(form): Form<FormPairs>,
) -> Response {
    let network = field(&form, "network").to_string();
    // The secret never goes back into the page.
    let typed: FormPairs = form
        .iter()
        .filter(|(k, _)| k != "credential" && k != "csrf")
        .cloned()
        .collect();
    let refuse = |status: StatusCode, problem: Problem| {
        page_with(&state, &p, status, &network, typed.clone(), problem)
    };
    let Some(channels) = state.channel_admin.clone() else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            Problem::new("", "Channel administration is not available on this server"),
        )
        .await;
    };
    let name = field(&form, "name").trim().to_string();
    let request = match request_of(&form) {
        Ok(r) => r,
        Err(problem) => return refuse(StatusCode::BAD_REQUEST, problem).await,
    };
    let credential = field(&form, "credential");
    match connect(&channels, &name, request, credential).await {
        Ok(()) => {
            tracing::info!(by = %p.user.name, channel = %name, %network, "channel added");
            Redirect::to("/settings/channels").into_response()
        }
        Err(EngineError::Channel(reason)) => {
            let field = if reason.contains("credential") || reason.contains("cannot check") {
                "credential"
            } else if reason.contains("channel name") || reason.contains("exists") {
                "name"
            } else {
                ""
            };
            refuse(StatusCode::BAD_REQUEST, Problem::new(field, reason)).await
        }
        Err(EngineError::Conflict(_)) => {
            let problem = Problem::new("name", format!("Name: a channel named '{name}' exists"));
            refuse(StatusCode::CONFLICT, problem).await
        }
        Err(e) => failed(&p, e),
    }
}

async fn connect(
    channels: &Arc<Channels>,
    name: &str,
    request: ConnectRequest,
    credential: &str,
) -> Result<(), EngineError> {
    channels
        .connect(name, request, credential)
        .await
        .map(|_| ())
}

/// `POST /settings/channels/remove`: removes a channel and its stored credential.
pub async fn remove(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(form): Form<FormPairs>,
) -> Response {
    let name = field(&form, "name").to_string();
    let Some(channels) = state.channel_admin.clone() else {
        return Redirect::to("/settings/channels").into_response();
    };
    match channels.remove(&name).await {
        Ok(true) => {
            tracing::info!(by = %p.user.name, channel = %name, "channel removed");
            Redirect::to("/settings/channels").into_response()
        }
        Ok(false) => {
            let problem = Problem::new("", format!("There is no channel named '{name}'"));
            page_with(&state, &p, StatusCode::NOT_FOUND, "", Vec::new(), problem).await
        }
        Err(e) => failed(&p, e),
    }
}
