use super::dto::TopicDto;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

/// `GET /api/v1/topics`: every topic with its match count.
pub async fn list(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let topics: Vec<TopicDto> = state.engine.topics().await?.into_iter().map(TopicDto::from).collect();
    Ok(Json(json!({"count": topics.len(), "topics": topics})))
}
