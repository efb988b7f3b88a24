use super::dto::ErrorBody;
use super::dto_search::{EverywhereDto, EverywhereParams};
use crate::{ApiError, AppState};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::{Extension, Json};
use rapport_domain::Permission;
use rapport_engine::Kinds;
use rapport_engine::accounts::Principal;

/// `GET /api/v1/search?q=&limit=`: cases, posts and contacts matching plain words (all must
/// appear) or a listening query, grouped by kind, each with its whole count; a kind the
/// caller's role (and token) may not read is left out.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(EverywhereParams), security(("bearer" = [])),
    responses((status = 200, body = EverywhereDto),
        (status = 400, body = ErrorBody, description = "no query (`missing_query`) or one the language refuses (`invalid_query`, with its column)"),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "nothing to search for (`invalid_value`), or the query ran past the server's deadline (`query_timeout`)"),
        (status = 429, body = ErrorBody, description = "the caller already has their share of searches running (`too_many_queries`)")))]
pub async fn everywhere(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    params: Result<Query<EverywhereParams>, QueryRejection>,
) -> Result<Json<EverywhereDto>, ApiError> {
    let params = super::care_common::query(params)?;
    let caller = super::care_common::caller(principal)?;
    let q = params
        .q
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("missing_query", "the q parameter is required"))?;
    let _slot = state.heavy.enter(caller.user.id)?;
    let kinds = Kinds {
        cases: caller.can(Permission::ReadInbox),
        posts: caller.can(Permission::ReadPosts),
        contacts: caller.can(Permission::ReadContacts),
    };
    let limit = params.limit.unwrap_or(10).clamp(1, 100);
    let found = state.engine.search_everywhere(&q, kinds, limit).await?;
    Ok(Json(found.into()))
}
