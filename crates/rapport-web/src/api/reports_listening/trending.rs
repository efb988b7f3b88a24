//! `GET /api/v1/reports/listening/trending`: trending terms and hashtags against the previous period of equal length.

use super::{API_POSTS, ListeningParams, TrendingDto, request};
use crate::api::dto::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};

/// `GET /api/v1/reports/listening/trending`: Trending terms and hashtags against the previous period of equal length.
#[utoipa::path(get, path = "/api/v1/reports/listening/trending", tag = "reports", params(ListeningParams), security(("bearer" = [])),
    responses((status = 200, body = TrendingDto),
        (status = 400, body = ErrorBody, description = "a parameter that cannot be read, or a topic that does not exist (`invalid_parameter`, naming it)"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "an empty period or too many buckets (`invalid_value`)")))]
pub async fn trending(
    State(state): State<AppState>,
    pairs: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<TrendingDto>, ApiError> {
    let r = request(&state, pairs).await?;
    let t = state
        .engine
        .listening_trending(&r.filter, r.top as usize)
        .await?;
    Ok(Json(super::trending_dto(API_POSTS, &r, &t)))
}
