//! `/api/v1`: JSON over the engine's use cases. One handler per file; each names the
//! permission it needs, and `openapi.json` is generated from the same annotations.

mod dto;
mod me;
mod openapi;
mod posts;
mod stats;
mod topic_create;
mod topic_delete;
mod topic_matches;
mod topics_list;
mod users;

use crate::AppState;
use crate::auth::api_guard;
use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, delete, get, post};
use rapport_domain::Permission;

fn guarded(needed: Permission, route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.route_layer(from_fn_with_state(needed, api_guard))
}

pub fn routes(_state: &AppState) -> Router<AppState> {
    use Permission::*;
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/me", get(me::me))
        .route("/posts", guarded(ReadPosts, get(posts::search)))
        .route("/stats", guarded(ReadReports, get(stats::stats)))
        .route(
            "/topics",
            guarded(ReadTopics, get(topics_list::list))
                .merge(guarded(WriteTopics, post(topic_create::create))),
        )
        .route(
            "/topics/{name}",
            guarded(WriteTopics, delete(topic_delete::delete)),
        )
        .route(
            "/topics/{name}/matches",
            guarded(ReadTopics, get(topic_matches::matches)),
        )
        .route("/users", guarded(ManageUsers, get(users::list)))
}

/// Paging limits shared by the list endpoints.
pub(crate) fn clamp_limit(limit: Option<usize>) -> usize {
    limit.unwrap_or(50).clamp(1, 500)
}

/// Offsets are bounded so a page never makes the engine collect an unbounded list.
pub(crate) fn clamp_offset(offset: Option<usize>) -> usize {
    offset.unwrap_or(0).min(10_000)
}
