//! `GET /api/v1/contacts`: the contact list, searched and filtered, in keyset pages.
//!
//! The `next` cursor is opaque: it wraps the store's position together with the filters and
//! sort it was made for, so a cursor handed to another query is refused (400
//! `invalid_cursor`) instead of starting somewhere meaningless.

use super::care_common::{bad_parameter, limit, query};
use super::dto::ErrorBody;
use super::dto_care::{ContactList, ContactListParams, ContactSummaryDto};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use rapport_domain::care::{ContactCursor, ContactQuery, ContactSort, LifecycleStage};
use rapport_engine::care::CareError;

/// What a cursor is bound to: every filter and the sort.
fn scope(q: &ContactQuery) -> String {
    serde_json::json!([
        q.text,
        q.stage.map(LifecycleStage::as_str),
        q.tag,
        q.include_own,
        q.sort.as_str()
    ])
    .to_string()
}

fn encode_cursor(scope: &str, at: &ContactCursor) -> String {
    hex::encode(serde_json::json!([scope, at.to_string()]).to_string())
}

fn decode_cursor(scope: &str, cursor: &str) -> Result<ContactCursor, ApiError> {
    let bad = |why: &str| ApiError::bad_request("invalid_cursor", format!("cursor: {why}"));
    let foreign = || bad("not a cursor this API gave out");
    let (made_for, at): (String, String) = hex::decode(cursor)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(foreign)?;
    if made_for != scope {
        return Err(bad(
            "it belongs to other filters or another sort; start again without it",
        ));
    }
    at.parse().map_err(|_| foreign())
}

/// `GET /api/v1/contacts?q=&stage=&tag=&include_own=&sort=&limit=&cursor=`: contacts not
/// merged into another, with their identities, fields and figures.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", params(ContactListParams), security(("bearer" = [])),
    responses((status = 200, body = ContactList), (status = 400, body = ErrorBody, description = "invalid_parameter, invalid_cursor"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    params: Result<Query<ContactListParams>, QueryRejection>,
) -> Result<Json<ContactList>, ApiError> {
    let p = query(params)?;
    let mut q = ContactQuery {
        text: p.q.unwrap_or_default(),
        stage: p
            .stage
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<LifecycleStage>())
            .transpose()
            .map_err(|e| bad_parameter("stage", e))?,
        tag: p.tag.filter(|t| !t.trim().is_empty()),
        include_own: p.include_own.unwrap_or(false),
        sort: match p.sort.as_deref() {
            None => ContactSort::default(),
            Some(s) => s.parse().map_err(|e| bad_parameter("sort", e))?,
        },
        limit: limit(p.limit),
        after: None,
    };
    let scope = scope(&q);
    if let Some(c) = p.cursor.as_deref().filter(|c| !c.is_empty()) {
        q.after = Some(decode_cursor(&scope, c)?);
    }
    let page = match state.engine.care().contacts(&q).await {
        Ok(page) => page,
        // What the engine refuses here is a parameter (the search text's length).
        Err(CareError::Invalid { field, reason }) => return Err(bad_parameter(field, reason)),
        Err(e) => return Err(e.into()),
    };
    Ok(Json(ContactList {
        contacts: page
            .items
            .into_iter()
            .map(ContactSummaryDto::from)
            .collect(),
        next: page.next.map(|c| encode_cursor(&scope, &c)),
    }))
}
