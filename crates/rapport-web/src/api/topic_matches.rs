use super::dto::{ListParams, PostDto};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde_json::{Value, json};

/// `GET /api/v1/topics/{name}/matches?limit=N`: the newest posts the topic matched.
pub async fn matches(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let (total, hits) = state
        .engine
        .topic_posts(&name, super::clamp_limit(params.limit) as u32)
        .await?;
    let posts: Vec<PostDto> = hits.into_iter().map(PostDto::from).collect();
    Ok(Json(json!({"topic": name, "count": total, "posts": posts})))
}
