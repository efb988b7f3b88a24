//! `/api/v1`: JSON over the engine's use cases, for API tokens. One handler per file; the
//! table below names the access each needs, and `openapi.json` is generated from the
//! handlers' annotations (a test checks that it lists every route here).

mod audit;
mod care_common;
mod case_actions;
mod cases;
mod contacts;
mod contacts_list;
mod contacts_privacy;
mod dto;
mod dto_care;
mod dto_publish;
mod dto_search;
mod leads;
mod me;
mod openapi;
mod outbox;
mod posts;
mod publications;
mod reports_care;
pub(crate) mod reports_listening;
mod search;
mod stats;
mod topic_create;
mod topic_delete;
mod topic_matches;
mod topics_list;
mod users;
mod views;

use crate::AppState;
use crate::auth::api_guard;
use crate::routes::{Access, RouteInfo, Surface, Table};
use axum::Router;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::MethodRouter;
use rapport_domain::Permission;

fn guard(
    state: &AppState,
    access: Access,
    method: &Method,
    path: &'static str,
    route: MethodRouter<AppState>,
) -> MethodRouter<AppState> {
    Table::with_audit(state, Surface::Api, access, method, path, route)
        .route_layer(from_fn_with_state(access, api_guard))
}

pub fn routes(state: &AppState) -> (Router<AppState>, Vec<RouteInfo>) {
    use Access::{LoggedIn, Needs, Public};
    use Method as M;
    use Permission::*;
    Table::new(state, "/api/v1", Surface::Api, guard)
        .add(M::GET, "/openapi.json", Public, openapi::document)
        .add(M::GET, "/me", LoggedIn, me::me)
        .add(M::GET, "/search", LoggedIn, search::everywhere)
        .add(M::GET, "/cases", Needs(ReadInbox), cases::list)
        .add(M::GET, "/cases/counts", Needs(ReadInbox), cases::counts)
        .add(M::GET, "/views", Needs(ReadInbox), views::list)
        .add(M::POST, "/views", Needs(ReadInbox), views::create)
        .add(M::DELETE, "/views/{id}", Needs(ReadInbox), views::delete)
        .add(M::GET, "/cases/{id}", Needs(ReadInbox), cases::show)
        .add(
            M::POST,
            "/cases/{id}/assign",
            Needs(WriteCases),
            case_actions::assign,
        )
        .add(
            M::POST,
            "/cases/{id}/status",
            Needs(WriteCases),
            case_actions::status,
        )
        .add(
            M::POST,
            "/cases/{id}/priority",
            Needs(WriteCases),
            case_actions::priority,
        )
        .add(
            M::POST,
            "/cases/{id}/tags",
            Needs(WriteCases),
            case_actions::add_tag,
        )
        .add(
            M::DELETE,
            "/cases/{id}/tags/{tag}",
            Needs(WriteCases),
            case_actions::remove_tag,
        )
        .add(
            M::POST,
            "/cases/{id}/notes",
            Needs(WriteCases),
            case_actions::add_note,
        )
        .add(
            M::POST,
            "/cases/{id}/replies",
            Needs(WriteCases),
            case_actions::queue_reply,
        )
        .add(
            M::GET,
            "/contacts/{id}",
            Needs(ReadContacts),
            contacts::show,
        )
        .add(
            M::PATCH,
            "/contacts/{id}",
            Needs(WriteContacts),
            contacts::update,
        )
        .add(
            M::GET,
            "/contacts/{id}/timeline",
            Needs(ReadContacts),
            contacts::timeline,
        )
        .add(
            M::POST,
            "/contacts/{id}/merge",
            Needs(WriteContacts),
            contacts::merge,
        )
        .add(
            M::POST,
            "/contacts/{id}/split",
            Needs(WriteContacts),
            contacts::split,
        )
        .add(
            M::GET,
            "/contacts/{id}/export",
            Needs(ManageUsers),
            contacts_privacy::export,
        )
        .add(
            M::POST,
            "/contacts/{id}/erase",
            Needs(ManageUsers),
            contacts_privacy::erase,
        )
        .add(
            M::GET,
            "/contacts",
            Needs(ReadContacts),
            contacts_list::list,
        )
        .add(M::GET, "/leads", Needs(ReadContacts), leads::list)
        .add(M::GET, "/outbox", Needs(ReadInbox), outbox::list)
        .add(M::GET, "/outbox/{id}", Needs(ReadInbox), outbox::show)
        .add(
            M::POST,
            "/outbox/{id}/resend",
            Needs(WriteCases),
            outbox::resend,
        )
        .add(M::GET, "/posts", Needs(ReadPosts), posts::search)
        .add(
            M::GET,
            "/publications",
            Needs(ReadPublications),
            publications::list,
        )
        .add(
            M::POST,
            "/publications",
            Needs(WritePublications),
            publications::create,
        )
        .add(
            M::POST,
            "/publications/preview",
            Needs(WritePublications),
            publications::preview,
        )
        .add(
            M::GET,
            "/publications/{id}",
            Needs(ReadPublications),
            publications::show,
        )
        .add(
            M::PUT,
            "/publications/{id}",
            Needs(WritePublications),
            publications::update,
        )
        .add(
            M::DELETE,
            "/publications/{id}",
            Needs(WritePublications),
            publications::delete,
        )
        .add(
            M::POST,
            "/publications/{id}/submit",
            Needs(WritePublications),
            publications::submit,
        )
        .add(
            M::POST,
            "/publications/{id}/unschedule",
            Needs(WritePublications),
            publications::unschedule,
        )
        .add(
            M::POST,
            "/publications/{id}/approve",
            Needs(ApprovePublications),
            publications::approve,
        )
        .add(
            M::POST,
            "/publications/{id}/send-back",
            Needs(ApprovePublications),
            publications::send_back,
        )
        .add(M::GET, "/stats", Needs(ReadReports), stats::stats)
        .add(
            M::GET,
            "/reports/care",
            Needs(ReadReports),
            reports_care::care,
        )
        .add(
            M::GET,
            "/reports/listening",
            Needs(ReadReports),
            reports_listening::summary,
        )
        .add(
            M::GET,
            "/reports/listening/volume",
            Needs(ReadReports),
            reports_listening::volume,
        )
        .add(
            M::GET,
            "/reports/listening/share-of-voice",
            Needs(ReadReports),
            reports_listening::share,
        )
        .add(
            M::GET,
            "/reports/listening/intents",
            Needs(ReadReports),
            reports_listening::intents,
        )
        .add(
            M::GET,
            "/reports/listening/authors",
            Needs(ReadReports),
            reports_listening::authors,
        )
        .add(
            M::GET,
            "/reports/listening/trending",
            Needs(ReadReports),
            reports_listening::trending,
        )
        .add(
            M::GET,
            "/reports/listening/posts",
            Needs(ReadReports),
            reports_listening::posts,
        )
        .add(M::GET, "/topics", Needs(ReadTopics), topics_list::list)
        .add(M::POST, "/topics", Needs(WriteTopics), topic_create::create)
        .add(
            M::DELETE,
            "/topics/{name}",
            Needs(WriteTopics),
            topic_delete::delete,
        )
        .add(
            M::GET,
            "/topics/{name}/matches",
            Needs(ReadTopics),
            topic_matches::matches,
        )
        .add(M::GET, "/users", Needs(ManageUsers), users::list)
        .add(M::GET, "/audit", Needs(ManageUsers), audit::list)
        .finish()
}

/// Paging limits shared by the list endpoints.
pub(crate) fn clamp_limit(limit: Option<usize>) -> usize {
    limit.unwrap_or(50).clamp(1, 500)
}

/// Offsets are bounded so a page never makes the engine collect an unbounded list.
pub(crate) fn clamp_offset(offset: Option<usize>) -> usize {
    offset.unwrap_or(0).min(10_000)
}
