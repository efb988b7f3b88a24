//! `GET /api/v1/reports/listening/volume`: volume and sentiment over time: posts per bucket by sentiment, net sentiment per bucket and over the period.

use super::{API_POSTS, ListeningParams, VolumeDto, request};
use crate::api::dto::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};

/// `GET /api/v1/reports/listening/volume`: Volume and sentiment over time: posts per bucket by sentiment, net sentiment per bucket and over the period.
#[utoipa::path(get, path = "/api/v1/reports/listening/volume", tag = "reports", params(ListeningParams), security(("bearer" = [])),
    responses((status = 200, body = VolumeDto),
        (status = 400, body = ErrorBody, description = "a parameter that cannot be read, or a topic that does not exist (`invalid_parameter`, naming it)"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "an empty period or too many buckets (`invalid_value`)")))]
pub async fn volume(
    State(state): State<AppState>,
    pairs: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<VolumeDto>, ApiError> {
    let r = request(&state, pairs).await?;
    let points = state.engine.listening_volume(&r.filter, r.bucket).await?;
    Ok(Json(super::volume_dto(API_POSTS, &r, &points)))
}
