//! API errors: a stable code, a message fit for the caller, never internals.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rapport_engine::EngineError;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable, machine-readable (`invalid_query`, `not_found`, ...).
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        )
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}

impl From<rapport_engine::accounts::AccountError> for ApiError {
    fn from(e: rapport_engine::accounts::AccountError) -> Self {
        tracing::error!(error = %e, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
        )
    }
}

impl From<crate::heavy::Busy> for ApiError {
    fn from(busy: crate::heavy::Busy) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_queries",
            busy.to_string(),
        )
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        match &e {
            EngineError::Query(q) => Self::bad_request("invalid_query", q.to_string()),
            EngineError::TopicExists(_) => {
                Self::new(StatusCode::CONFLICT, "conflict", e.to_string())
            }
            EngineError::NoSuchTopic(_) => {
                Self::new(StatusCode::NOT_FOUND, "not_found", e.to_string())
            }
            EngineError::BadTopicName(_) => Self::bad_request("invalid_name", e.to_string()),
            EngineError::QueryTimeout { .. } => Self::unprocessable("query_timeout", e.to_string()),
            EngineError::Conflict(m) => Self::new(StatusCode::CONFLICT, "conflict", m.clone()),
            EngineError::NotFound(_) => {
                Self::new(StatusCode::NOT_FOUND, "not_found", e.to_string())
            }
            EngineError::InvalidInput(m) => Self::unprocessable("invalid_value", m.clone()),
            _ => {
                // The cause goes to the log, not to the caller.
                tracing::error!(error = %e, "request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error",
                )
            }
        }
    }
}

impl ApiError {
    /// 422: the request was well-formed but a value in it is refused; `message` names it.
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }
}

impl From<rapport_engine::care::CareError> for ApiError {
    fn from(e: rapport_engine::care::CareError) -> Self {
        use rapport_domain::CaseError;
        use rapport_engine::care::CareError as C;
        let message = e.to_string();
        match e {
            C::NoSuchCase(_) | C::NoSuchSavedReply(_) | C::NotFound(_) => {
                Self::new(StatusCode::NOT_FOUND, "not_found", message)
            }
            C::Conflict(_) => Self::new(StatusCode::CONFLICT, "conflict", message),
            C::Case(CaseError::IllegalTransition { .. }) => {
                Self::new(StatusCode::CONFLICT, "illegal_transition", message)
            }
            C::TooLong { .. } => Self::unprocessable("reply_too_long", message),
            C::ReplyNotAllowed(_) => Self::unprocessable("reply_not_allowed", message),
            C::KeyReused(_) => Self::new(StatusCode::CONFLICT, "idempotency_key_reused", message),
            C::Tag(_) => Self::unprocessable("invalid_tag", message),
            C::NoSuchTeam(_) => Self::unprocessable("unknown_team", message),
            C::Template(_) => Self::unprocessable("invalid_template", message),
            C::Case(_) | C::Invalid { .. } | C::InvalidInput(_) => {
                Self::unprocessable("invalid_value", message)
            }
            other => {
                tracing::error!(error = %other, "request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error",
                )
            }
        }
    }
}
