use super::dto::{ErrorBody, StatsDto};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;

/// `GET /api/v1/stats`: the store's counts.
#[utoipa::path(get, path = "/api/v1/stats", tag = "reports", security(("bearer" = [])),
    responses((status = 200, body = StatsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn stats(State(state): State<AppState>) -> Result<Json<StatsDto>, ApiError> {
    let s = state.engine.stats().await?;
    Ok(Json(StatsDto {
        posts: s.posts,
        conversations: s.conversations,
        contacts: s.contacts,
        identities: s.identities,
        own_accounts: s.own_accounts,
        topics: s.topics,
        matches: s.matches,
        mentions: s.mentions,
    }))
}
