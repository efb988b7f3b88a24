//! `GET /api/v1/reports/listening/share-of-voice`: share of voice between topics (the filter's, or every topic), with each topic's sentiment.

use super::{API_POSTS, ListeningParams, ShareDto, request};
use crate::api::dto::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};

/// `GET /api/v1/reports/listening/share-of-voice`: Share of voice between topics (the filter's, or every topic), with each topic's sentiment.
#[utoipa::path(get, path = "/api/v1/reports/listening/share-of-voice", tag = "reports", params(ListeningParams), security(("bearer" = [])),
    responses((status = 200, body = ShareDto),
        (status = 400, body = ErrorBody, description = "a parameter that cannot be read, or a topic that does not exist (`invalid_parameter`, naming it)"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "an empty period or too many buckets (`invalid_value`)")))]
pub async fn share(
    State(state): State<AppState>,
    pairs: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<ShareDto>, ApiError> {
    let r = request(&state, pairs).await?;
    let rows = state.engine.listening_share(&r.filter).await?;
    Ok(Json(super::share_dto(API_POSTS, &r, &rows)))
}
