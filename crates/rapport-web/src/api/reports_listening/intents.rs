//! `GET /api/v1/reports/listening/intents`: the intent mix: posts per intent, `other` and `unlabelled`.

use super::{API_POSTS, IntentsDto, ListeningParams, request};
use crate::api::dto::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};

/// `GET /api/v1/reports/listening/intents`: The intent mix: posts per intent, `other` and `unlabelled`.
#[utoipa::path(get, path = "/api/v1/reports/listening/intents", tag = "reports", params(ListeningParams), security(("bearer" = [])),
    responses((status = 200, body = IntentsDto),
        (status = 400, body = ErrorBody, description = "a parameter that cannot be read, or a topic that does not exist (`invalid_parameter`, naming it)"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "an empty period or too many buckets (`invalid_value`)")))]
pub async fn intents(
    State(state): State<AppState>,
    pairs: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<IntentsDto>, ApiError> {
    let r = request(&state, pairs).await?;
    let mix = state.engine.listening_intents(&r.filter).await?;
    Ok(Json(super::intents_dto(API_POSTS, &r, &mix)))
}
