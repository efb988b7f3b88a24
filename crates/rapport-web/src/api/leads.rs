//! `GET /api/v1/leads`: contacts flagged as leads by their posts' intent, newest first, in
//! keyset pages.
//!
//! The `next` cursor is opaque: it wraps the store's position (the last row's flag time and
//! contact) with the name of this list, so a cursor from another list, or one edited by hand,
//! is refused (400 `invalid_cursor`) instead of starting somewhere meaningless.

use super::care_common::{limit, query};
use super::dto::ErrorBody;
use super::dto_care::{LeadList, LeadListParams};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use rapport_domain::care::LeadCursor;

/// What a leads cursor says it is for.
const SCOPE: &str = "leads";

fn encode_cursor(at: &LeadCursor) -> String {
    hex::encode(serde_json::json!([SCOPE, at.to_string()]).to_string())
}

fn decode_cursor(cursor: &str) -> Result<LeadCursor, ApiError> {
    let foreign =
        || ApiError::bad_request("invalid_cursor", "cursor: not a cursor this API gave out");
    let (made_for, at): (String, String) = hex::decode(cursor)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(foreign)?;
    if made_for != SCOPE {
        return Err(foreign());
    }
    at.parse().map_err(|_| foreign())
}

/// `GET /api/v1/leads?limit=&cursor=`.
#[utoipa::path(get, path = "/api/v1/leads", tag = "contacts", params(LeadListParams), security(("bearer" = [])),
    responses((status = 200, body = LeadList), (status = 400, body = ErrorBody, description = "invalid_parameter, invalid_cursor"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    params: Result<Query<LeadListParams>, QueryRejection>,
) -> Result<Json<LeadList>, ApiError> {
    let p = query(params)?;
    let after = match p.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(decode_cursor(c)?),
        None => None,
    };
    let page = state.engine.care().leads(after, limit(p.limit)).await?;
    Ok(Json(LeadList {
        leads: page.items.into_iter().map(Into::into).collect(),
        next: page.next.map(|c| encode_cursor(&c)),
    }))
}
