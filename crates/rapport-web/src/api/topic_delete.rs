use super::dto::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;

/// `DELETE /api/v1/topics/{name}`.
#[utoipa::path(delete, path = "/api/v1/topics/{name}", tag = "topics", params(("name" = String, Path, description = "topic name")),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.engine.remove_topic(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}
