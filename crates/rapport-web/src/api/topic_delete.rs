use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;

/// `DELETE /api/v1/topics/{name}`.
pub async fn delete(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.engine.remove_topic(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}
