//! Settings › Security: what sign-in requires, and the audit log (with its CSV export).

use super::{Chrome, message, render};
use crate::AppState;
use crate::auth::client::ClientAddress;
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rapport_domain::SecurityPolicy;
use rapport_domain::audit::{AuditAction, AuditEvent, AuditQuery};
use rapport_engine::accounts::{AccountError, AuditActor, MAX_AUDIT_PAGE, Principal};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "settings_security.html")]
struct SecurityPage {
    chrome: Chrome,
    require_two_factor: bool,
    with_two_factor: usize,
    users: usize,
}

fn failed(p: &Principal, e: AccountError) -> Response {
    tracing::error!(error = %e, "security settings failed");
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        Chrome::for_principal(p, "Error", "settings"),
        "Something went wrong",
        "The request failed; try again.",
    )
}

/// `GET /settings/security`.
pub async fn show(State(state): State<AppState>, Extension(p): Extension<Principal>) -> Response {
    let (policy, users) = match (
        state.accounts.security_policy().await,
        state.accounts.users().await,
    ) {
        (Ok(policy), Ok(users)) => (policy, users),
        (Err(e), _) | (_, Err(e)) => return failed(&p, e),
    };
    let active: Vec<_> = users.iter().filter(|u| u.active).collect();
    render(
        StatusCode::OK,
        &SecurityPage {
            chrome: Chrome::for_principal(&p, "Security", "settings"),
            require_two_factor: policy.require_two_factor,
            with_two_factor: active.iter().filter(|u| u.two_factor).count(),
            users: active.len(),
        },
    )
}

/// `POST /settings/security`.
pub async fn save(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ClientAddress(address): ClientAddress,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let policy = SecurityPolicy {
        require_two_factor: form.iter().any(|(k, _)| k == "require_two_factor"),
    };
    let actor = AuditActor::user(&p.user, Some(&address));
    match state
        .accounts
        .set_security_policy(&actor, &p.user, policy)
        .await
    {
        Ok(()) => Redirect::to("/settings/security").into_response(),
        Err(e) => failed(&p, e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditFilter {
    #[serde(default)]
    action: String,
    before: Option<i64>,
}

struct Row {
    at: String,
    actor: String,
    action: String,
    target: String,
    detail: String,
    address: String,
}

#[derive(Template)]
#[template(path = "settings_audit.html")]
struct AuditPage {
    chrome: Chrome,
    actions: Vec<&'static str>,
    action: String,
    rows: Vec<Row>,
    /// The link to the next (older) page, when there is one.
    older: String,
}

/// Entries shown on one page.
const PAGE: u32 = 50;

fn query(filter: &AuditFilter, limit: u32) -> AuditQuery {
    AuditQuery {
        before: filter.before,
        action: Some(filter.action.trim().to_string()).filter(|a| !a.is_empty()),
        actor: None,
        limit,
    }
}

/// `GET /settings/audit?action=&before=`: the audit log, newest first.
pub async fn audit(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(filter): Query<AuditFilter>,
) -> Response {
    let events = match state.accounts.audit_events(query(&filter, PAGE)).await {
        Ok(events) => events,
        Err(e) => return failed(&p, e),
    };
    let older = match events.last() {
        Some(last) if events.len() == PAGE as usize => format!(
            "/settings/audit?action={}&before={}",
            filter.action.trim(),
            last.id
        ),
        _ => String::new(),
    };
    let rows = events
        .into_iter()
        .map(|e| Row {
            at: e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            actor: e.actor_name,
            action: e.action,
            target: e.target,
            detail: e.detail,
            address: e.address.unwrap_or_default(),
        })
        .collect();
    render(
        StatusCode::OK,
        &AuditPage {
            chrome: Chrome::for_principal(&p, "Audit log", "settings"),
            actions: AuditAction::ALL.iter().map(|a| a.as_str()).collect(),
            action: filter.action.trim().to_string(),
            rows,
            older,
        },
    )
}

/// A CSV cell that a spreadsheet will not run as a formula (OWASP's CSV injection advice).
fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

fn csv(events: &[AuditEvent]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "id",
        "at",
        "actor_id",
        "actor_name",
        "action",
        "target",
        "detail",
        "address",
    ])?;
    for e in events {
        out.write_record([
            e.id.to_string(),
            e.at.to_rfc3339(),
            e.actor.map(|u| u.0.to_string()).unwrap_or_default(),
            cell(&e.actor_name),
            e.action.clone(),
            cell(&e.target),
            cell(&e.detail),
            e.address.clone().unwrap_or_default(),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// `GET /settings/audit.csv?action=`: the newest entries (up to the page limit of the
/// engine) as CSV. The export itself is an audit entry.
pub async fn export(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ClientAddress(address): ClientAddress,
    Query(filter): Query<AuditFilter>,
) -> Response {
    let events = match state
        .accounts
        .audit_events(query(&filter, MAX_AUDIT_PAGE))
        .await
    {
        Ok(events) => events,
        Err(e) => return failed(&p, e),
    };
    let body = match csv(&events) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "writing the audit CSV failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        }
    };
    let actor = AuditActor::user(&p.user, Some(&address));
    let detail = format!("{} audit entries as CSV", events.len());
    if let Err(e) = state
        .accounts
        .record(&actor, AuditAction::Exported, "audit log", detail)
        .await
    {
        return failed(&p, e);
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"rapport-audit.csv\"",
            ),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_quoted() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("user 4"), "user 4");
        assert_eq!(cell(""), "");
    }
}
