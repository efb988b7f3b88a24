use super::dto::{ListParams, PostDto};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};

/// `GET /api/v1/posts?q=QUERY&limit=N`: stored posts matching a listening query, newest first.
pub async fn search(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let q = params
        .q
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("missing_query", "the q parameter is required"))?;
    let result = state.engine.search(&q, super::clamp_limit(params.limit)).await?;
    let posts: Vec<PostDto> = result.posts.into_iter().map(PostDto::from).collect();
    Ok(Json(json!({"count": result.count, "posts": posts})))
}
