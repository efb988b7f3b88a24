use super::{Chrome, render};
use crate::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use rapport_domain::Permission;
use rapport_engine::accounts::Principal;

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
    stats: Option<Figures>,
}

struct Figures {
    posts: u64,
    conversations: u64,
    contacts: u64,
    topics: u64,
    matches: u64,
    mentions: u64,
}

/// `GET /`: a greeting, and the store's figures for those who may read reports.
pub async fn home(State(state): State<AppState>, Extension(p): Extension<Principal>) -> Response {
    let stats = if p.can(Permission::ReadReports) {
        state.engine.stats().await.ok().map(|s| Figures {
            posts: s.posts,
            conversations: s.conversations,
            contacts: s.contacts,
            topics: s.topics,
            matches: s.matches,
            mentions: s.mentions,
        })
    } else {
        None
    };
    render(
        StatusCode::OK,
        &Home {
            chrome: Chrome::for_principal(&p, "Home", "home"),
            stats,
        },
    )
}
