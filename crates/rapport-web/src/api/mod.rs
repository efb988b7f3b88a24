//! `/api/v1`: JSON over the engine's use cases. One handler per file.

mod dto;
mod posts;
mod stats;
mod topic_create;
mod topic_delete;
mod topic_matches;
mod topics_list;

use crate::AppState;
use axum::Router;
use axum::routing::{delete, get};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/posts", get(posts::search))
        .route("/stats", get(stats::stats))
        .route("/topics", get(topics_list::list).post(topic_create::create))
        .route("/topics/{name}", delete(topic_delete::delete))
        .route("/topics/{name}/matches", get(topic_matches::matches))
}

/// Paging limits shared by the list endpoints.
pub(crate) fn clamp_limit(limit: Option<usize>) -> usize {
    limit.unwrap_or(50).clamp(1, 500)
}
