use super::dto::{ErrorBody, PostDto, PostList, SearchParams};
use crate::{ApiError, AppState};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::{Extension, Json};
use rapport_engine::accounts::Principal;

/// `GET /api/v1/posts?q=QUERY&offset=&limit=`: stored posts matching a listening query,
/// newest first.
#[utoipa::path(get, path = "/api/v1/posts", tag = "posts", params(SearchParams), security(("bearer" = [])),
    responses((status = 200, body = PostList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "the query ran past the server's deadline (`query_timeout`)"),
        (status = 429, body = ErrorBody, description = "the caller already has their share of searches running (`too_many_queries`)")))]
pub async fn search(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<PostList>, ApiError> {
    let params = super::care_common::query(params)?;
    let caller = super::care_common::caller(principal)?;
    let _slot = state.heavy.enter(caller.user.id)?;
    let q = params
        .q
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("missing_query", "the q parameter is required"))?;
    let (offset, limit) = (
        super::clamp_offset(params.offset),
        super::clamp_limit(params.limit),
    );
    let result = state.engine.search(&q, offset + limit).await?;
    let posts = result
        .posts
        .into_iter()
        .skip(offset)
        .map(PostDto::from)
        .collect();
    Ok(Json(PostList {
        count: result.count,
        posts,
    }))
}
