use super::dto::NewTopic;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use rapport_domain::TopicOptions;
use serde_json::{Value, json};

/// `POST /api/v1/topics` `{"name", "query", "ignore_accents"?}`: adds a topic and matches it
/// against the stored posts. A bad query answers 400 with the column of the error.
pub async fn create(
    State(state): State<AppState>,
    body: Result<Json<NewTopic>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(new) = body.map_err(|e| ApiError::bad_request("invalid_body", e.body_text()))?;
    let (topic, matched) = state
        .engine
        .add_topic(&new.name, &new.query, TopicOptions { ignore_accents: new.ignore_accents })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": topic.id.0,
            "name": topic.name,
            "query": topic.query,
            "ignore_accents": topic.options.ignore_accents,
            "matches": matched,
        })),
    ))
}
