use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

/// `GET /api/v1/stats`: the store's counts.
pub async fn stats(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let s = state.engine.stats().await?;
    Ok(Json(json!({
        "posts": s.posts,
        "conversations": s.conversations,
        "contacts": s.contacts,
        "identities": s.identities,
        "own_accounts": s.own_accounts,
        "topics": s.topics,
        "matches": s.matches,
        "mentions": s.mentions,
    })))
}
