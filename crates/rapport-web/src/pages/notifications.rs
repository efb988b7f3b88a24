//! The caller's notifications: the header's bell (its unread count streamed live on
//! `/notifications/events`), the list at `/notifications` with mark read and mark all read,
//! each linking to its case, and the settings at `/account/notifications` (which events,
//! the email digest and how often, the time zone, quiet hours).
//!
//! Every route reads or changes the logged-in user's own notifications only: the user id
//! comes from the session, never from the request, so no one can see or mark another's.
//! The settings live on a page of their own beside the two-factor one, linked from
//! `/account`, so the account page stays short.

use super::{Chrome, message, render};
use crate::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveTime, Utc};
use futures::stream::{self, StreamExt};
use rapport_domain::notify::{
    DigestFrequency, NotificationId, NotificationKind, NotificationSettings,
};
use rapport_engine::accounts::Principal;
use rapport_engine::care::CareError;
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

const PAGE: u32 = 50;

struct Row {
    id: i64,
    summary: String,
    case_link: Option<String>,
    at: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    unread: u64,
    unread_only: bool,
    older: Option<String>,
}

fn failed(p: &Principal, e: CareError) -> Response {
    tracing::error!(error = %e, "notifications page failed");
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        Chrome::for_principal(p, "Error", "notifications"),
        "Something went wrong",
        "The request failed; try again.",
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    unread: Option<String>,
    before: Option<i64>,
}

/// `GET /notifications`: newest first, times in the user's own time zone.
pub async fn page(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<ListParams>,
) -> Response {
    let n = state.engine.notifications();
    let me = p.user.id;
    let unread_only = q.unread.is_some_and(|u| u == "1");
    let listed = n
        .list(me, unread_only, q.before.map(NotificationId), PAGE + 1)
        .await;
    let (settings, unread) = (n.settings(me).await, n.unread(me).await);
    let (mut listed, settings, unread) = match (listed, settings, unread) {
        (Ok(l), Ok(s), Ok(u)) => (l, s, u),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return failed(&p, e),
    };
    let more = listed.len() > PAGE as usize;
    listed.truncate(PAGE as usize);
    let older = more.then(|| {
        let last = listed.last().map_or(0, |n| n.id.0);
        format!(
            "/notifications?before={last}{}",
            if unread_only { "&unread=1" } else { "" }
        )
    });
    let zone = settings.time_zone;
    let rows = listed
        .into_iter()
        .map(|n| Row {
            id: n.id.0,
            summary: n.summary,
            case_link: n.case_id.map(|c| format!("/cases/{c}")),
            at: n
                .at
                .with_timezone(&zone)
                .format("%Y-%m-%d %H:%M %Z")
                .to_string(),
            unread: n.read_at.is_none(),
        })
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            chrome: Chrome::for_principal(&p, "Notifications", "notifications"),
            rows,
            unread,
            unread_only,
            older,
        },
    )
}

#[derive(Deserialize)]
pub struct ReadForm {
    id: i64,
    /// Where to go afterwards: the case (opening it marks it read) or back to the list.
    #[serde(default)]
    open: Option<String>,
}

/// `POST /notifications/read`: marks one of the caller's own notifications read; with
/// `open`, goes on to its case.
pub async fn read(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(f): Form<ReadForm>,
) -> Response {
    let n = state.engine.notifications();
    if let Err(e) = n
        .mark_read(p.user.id, &[NotificationId(f.id)], Utc::now())
        .await
    {
        return failed(&p, e);
    }
    match f.open.as_deref() {
        // Only a case link of our own: never an address from the form.
        Some(case) if case.parse::<i64>().is_ok() => {
            Redirect::to(&format!("/cases/{case}")).into_response()
        }
        _ => Redirect::to("/notifications").into_response(),
    }
}

/// `POST /notifications/read-all`.
pub async fn read_all(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Response {
    match state
        .engine
        .notifications()
        .mark_all_read(p.user.id, Utc::now())
        .await
    {
        Ok(_) => Redirect::to("/notifications").into_response(),
        Err(e) => failed(&p, e),
    }
}

/// `GET /notifications/events`: `unread` with the caller's count at once, then each time it
/// changes; other users' changes are never sent.
pub async fn events(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    axum::extract::Query(params): axum::extract::Query<super::live::LiveParams>,
) -> Response {
    let n = state.engine.notifications();
    // Subscribed before the count is read: a change after it is never missed.
    let rx = n.subscribe();
    let me = p.user.id;
    let first = match n.unread(me).await {
        Ok(c) => c,
        Err(e) => return failed(&p, e),
    };
    let changes = stream::unfold(rx, move |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(c) if c.user == me => return Some((c.unread.to_string(), rx)),
                Ok(_) => {}
                // Fell behind: the page reads the count again on `reload`.
                Err(RecvError::Lagged(_)) => return Some(("reload".to_string(), rx)),
                Err(RecvError::Closed) => return None,
            }
        }
    });
    let stream = stream::once(async move { first.to_string() })
        .chain(changes)
        .map(|count| {
            Ok::<_, Infallible>(if count == "reload" {
                Event::default().event("reload").data("missed")
            } else {
                Event::default()
                    .event("unread")
                    .retry(Duration::from_secs(2))
                    .data(count)
            })
        })
        .take_until(tokio::time::sleep(params.lifetime()));
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

struct EventChoice {
    name: &'static str,
    label: &'static str,
    on: bool,
}

#[derive(Template)]
#[template(path = "account_notifications.html")]
struct SettingsPage {
    chrome: Chrome,
    events: Vec<EventChoice>,
    digest: &'static str,
    email: String,
    time_zone: String,
    /// No settings saved yet: the page may take the browser's time zone.
    zone_from_browser: bool,
    zones: Vec<&'static str>,
    quiet_start: String,
    quiet_end: String,
    error: String,
    notice: String,
}

fn settings_page(
    p: &Principal,
    s: &NotificationSettings,
    fresh: bool,
    error: &str,
    notice: &str,
) -> SettingsPage {
    let hm = |t: NaiveTime| t.format("%H:%M").to_string();
    SettingsPage {
        chrome: Chrome::for_principal(p, "Notifications", "account"),
        events: NotificationKind::ALL
            .into_iter()
            .map(|k| EventChoice {
                name: k.as_str(),
                label: k.label(),
                on: s.wants(k),
            })
            .collect(),
        digest: s.digest.as_str(),
        email: s.email.clone().unwrap_or_default(),
        time_zone: s.time_zone.name().to_string(),
        zone_from_browser: fresh,
        zones: chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect(),
        quiet_start: s.quiet.map(|q| hm(q.0)).unwrap_or_default(),
        quiet_end: s.quiet.map(|q| hm(q.1)).unwrap_or_default(),
        error: error.into(),
        notice: notice.into(),
    }
}

/// `GET /account/notifications`.
pub async fn settings(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Response {
    match state.engine.notifications().settings(p.user.id).await {
        Ok(s) => {
            let fresh = s == NotificationSettings::default();
            render(StatusCode::OK, &settings_page(&p, &s, fresh, "", ""))
        }
        Err(e) => failed(&p, e),
    }
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    assigned: Option<String>,
    #[serde(default)]
    customer_replied: Option<String>,
    #[serde(default)]
    mentioned: Option<String>,
    #[serde(default)]
    sla_at_risk: Option<String>,
    #[serde(default)]
    sla_breached: Option<String>,
    digest: String,
    #[serde(default)]
    email: String,
    time_zone: String,
    #[serde(default)]
    quiet_start: String,
    #[serde(default)]
    quiet_end: String,
}

fn parse_form(f: &SettingsForm) -> Result<NotificationSettings, String> {
    let on = |v: &Option<String>| v.is_some();
    let events = [
        (NotificationKind::Assigned, on(&f.assigned)),
        (NotificationKind::CustomerReplied, on(&f.customer_replied)),
        (NotificationKind::Mentioned, on(&f.mentioned)),
        (NotificationKind::SlaAtRisk, on(&f.sla_at_risk)),
        (NotificationKind::SlaBreached, on(&f.sla_breached)),
    ]
    .into_iter()
    .filter_map(|(k, on)| on.then_some(k))
    .collect();
    let digest = DigestFrequency::parse(f.digest.trim())
        .ok_or_else(|| format!("'{}' is no digest frequency.", f.digest))?;
    let time_zone = f
        .time_zone
        .trim()
        .parse()
        .map_err(|_| format!("'{}' is no time zone (e.g. Europe/London).", f.time_zone))?;
    let time = |s: &str| {
        NaiveTime::parse_from_str(s.trim(), "%H:%M")
            .map_err(|_| format!("'{s}' is no time of day (HH:MM)."))
    };
    let quiet = match (f.quiet_start.trim(), f.quiet_end.trim()) {
        ("", "") => None,
        (s, e) if !s.is_empty() && !e.is_empty() => Some((time(s)?, time(e)?)),
        _ => return Err("Quiet hours need both a start and an end.".into()),
    };
    Ok(NotificationSettings {
        events,
        digest,
        email: Some(f.email.trim().to_string()).filter(|e| !e.is_empty()),
        time_zone,
        quiet,
    })
}

/// `POST /account/notifications`.
pub async fn save_settings(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(f): Form<SettingsForm>,
) -> Response {
    let n = state.engine.notifications();
    let bad = |s: &NotificationSettings, msg: &str| {
        render(
            StatusCode::BAD_REQUEST,
            &settings_page(&p, s, false, msg, ""),
        )
    };
    let wanted = match parse_form(&f) {
        Ok(s) => s,
        Err(msg) => {
            let current = n.settings(p.user.id).await.unwrap_or_default();
            return bad(&current, &msg);
        }
    };
    match n.save_settings(p.user.id, &wanted).await {
        Ok(()) => render(
            StatusCode::OK,
            &settings_page(&p, &wanted, false, "", "Notification settings saved."),
        ),
        Err(CareError::Invalid { reason, .. }) => bad(&wanted, &super_upper(&reason)),
        Err(e) => failed(&p, e),
    }
}

fn super_upper(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>() + "."
    })
}
