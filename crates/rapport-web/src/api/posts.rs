use super::dto::{ErrorBody, PostDto, PostList, SearchParams};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Query, State};

/// `GET /api/v1/posts?q=QUERY&offset=&limit=`: stored posts matching a listening query,
/// newest first.
#[utoipa::path(get, path = "/api/v1/posts", tag = "posts", params(SearchParams), security(("bearer" = [])),
    responses((status = 200, body = PostList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<Json<PostList>, ApiError> {
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
