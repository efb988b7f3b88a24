//! `GET /api/v1/audit`: the audit log, newest first, for admins.

use super::dto::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use rapport_domain::UserId;
use rapport_domain::audit::{AuditEvent, AuditQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Which entries: newest first, before an id, of one action or actor.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only entries with a smaller id (the `next_before` of the previous page).
    pub before: Option<i64>,
    /// Only this action (`login.failed`, `user.changed`, ...).
    pub action: Option<String>,
    /// Only entries by this user id.
    pub actor: Option<i64>,
    /// At most this many (1 to 1000, default 100).
    pub limit: Option<u32>,
}

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventDto {
    pub id: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// The acting user's id; null for a caller not known (a failed login).
    pub actor: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub address: Option<String>,
}

impl From<AuditEvent> for AuditEventDto {
    fn from(e: AuditEvent) -> Self {
        Self {
            id: e.id,
            at: e.at.to_rfc3339(),
            actor: e.actor.map(|u| u.0),
            actor_name: e.actor_name,
            action: e.action,
            target: e.target,
            detail: e.detail,
            address: e.address,
        }
    }
}

/// A page of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub events: Vec<AuditEventDto>,
    /// Pass as `before` for the next page; null on the last.
    pub next_before: Option<i64>,
}

/// `GET /api/v1/audit`: logins, failed logins, role changes, tokens, settings changes,
/// exports and deletions, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "users", params(AuditParams), security(("bearer" = [])),
    responses((status = 200, body = AuditPage), (status = 400, body = ErrorBody, description = "invalid_parameter"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    params: Result<Query<AuditParams>, QueryRejection>,
) -> Result<Json<AuditPage>, ApiError> {
    let params = super::care_common::query(params)?;
    let limit = params.limit.unwrap_or(100).clamp(1, 1_000);
    let events = state
        .accounts
        .audit_events(AuditQuery {
            before: params.before,
            action: params.action.filter(|a| !a.is_empty()),
            actor: params.actor.map(UserId),
            limit,
        })
        .await?;
    let next_before = (events.len() == limit as usize)
        .then(|| events.last().map(|e| e.id))
        .flatten();
    Ok(Json(AuditPage {
        events: events.into_iter().map(AuditEventDto::from).collect(),
        next_before,
    }))
}
