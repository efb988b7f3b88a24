use super::dto::{ErrorBody, Page, TopicDto, TopicList};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};

/// `GET /api/v1/topics?offset=&limit=`: topics with their match counts.
#[utoipa::path(get, path = "/api/v1/topics", tag = "topics", params(Page), security(("bearer" = [])),
    responses((status = 400, body = ErrorBody, description = "invalid_parameter"), (status = 200, body = TopicList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    page: Result<Query<Page>, QueryRejection>,
) -> Result<Json<TopicList>, ApiError> {
    let page = super::care_common::query(page)?;
    let all = state.engine.topics().await?;
    let count = all.len();
    let topics = all
        .into_iter()
        .skip(super::clamp_offset(page.offset))
        .take(super::clamp_limit(page.limit))
        .map(TopicDto::from)
        .collect();
    Ok(Json(TopicList { count, topics }))
}
