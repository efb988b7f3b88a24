use super::dto::{CreatedTopic, ErrorBody, NewTopic};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::{Extension, Json};
use rapport_domain::TopicOptions;
use rapport_engine::accounts::Principal;

/// `POST /api/v1/topics`: adds a topic and matches it against the stored posts. A bad query
/// answers 400 with the column of the error.
#[utoipa::path(post, path = "/api/v1/topics", tag = "topics", request_body = NewTopic, security(("bearer" = [])),
    responses((status = 201, body = CreatedTopic), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "the caller already has their share of searches running (`too_many_queries`)")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    body: Result<Json<NewTopic>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedTopic>), ApiError> {
    let caller = super::care_common::caller(principal)?;
    let _slot = state.heavy.enter(caller.user.id)?;
    let Json(new) = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(e.status(), "too_large", "the request body is too large")
        }
        _ => ApiError::bad_request("invalid_body", e.body_text()),
    })?;
    let (topic, matched) = state
        .engine
        .add_topic(
            &new.name,
            &new.query,
            TopicOptions {
                ignore_accents: new.ignore_accents,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTopic {
            id: topic.id.0,
            name: topic.name,
            query: topic.query,
            ignore_accents: topic.options.ignore_accents,
            matches: matched,
        }),
    ))
}
