//! `GET /api/v1/reports/listening`: every listening report of the period at once.

use super::{API_POSTS, ListeningDto, ListeningParams, request};
use crate::api::dto::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};

/// `GET /api/v1/reports/listening`: Every listening report of the period at once.
#[utoipa::path(get, path = "/api/v1/reports/listening", tag = "reports", params(ListeningParams), security(("bearer" = [])),
    responses((status = 200, body = ListeningDto),
        (status = 400, body = ErrorBody, description = "a parameter that cannot be read, or a topic that does not exist (`invalid_parameter`, naming it)"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "an empty period or too many buckets (`invalid_value`)")))]
pub async fn summary(
    State(state): State<AppState>,
    pairs: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<ListeningDto>, ApiError> {
    let r = request(&state, pairs).await?;
    let report = state
        .engine
        .listening_report(&r.filter, r.bucket, r.top)
        .await?;
    Ok(Json(super::listening_dto(API_POSTS, &r, &report)))
}
