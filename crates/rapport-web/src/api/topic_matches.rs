use super::dto::{ErrorBody, Page, PostDto, TopicMatches};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};

/// `GET /api/v1/topics/{name}/matches?offset=&limit=`: the newest posts the topic matched.
#[utoipa::path(get, path = "/api/v1/topics/{name}/matches", tag = "topics",
    params(("name" = String, Path, description = "topic name"), Page), security(("bearer" = [])),
    responses((status = 400, body = ErrorBody, description = "invalid_parameter"), (status = 200, body = TopicMatches), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn matches(
    State(state): State<AppState>,
    Path(name): Path<String>,
    page: Result<Query<Page>, QueryRejection>,
) -> Result<Json<TopicMatches>, ApiError> {
    let page = super::care_common::query(page)?;
    let (offset, limit) = (
        super::clamp_offset(page.offset),
        super::clamp_limit(page.limit),
    );
    let (total, hits) = state
        .engine
        .topic_posts(&name, (offset + limit) as u32)
        .await?;
    let posts = hits.into_iter().skip(offset).map(PostDto::from).collect();
    Ok(Json(TopicMatches {
        topic: name,
        count: total,
        posts,
    }))
}
