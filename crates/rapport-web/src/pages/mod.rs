//! The HTML UI: server-rendered askama templates (escaped by default; post text is never
//! marked safe), a little CSS and JavaScript of our own, no build step.

mod home;
mod login;
mod settings;
mod topics;

use crate::AppState;
use crate::auth::{csrf, page_guard, page_login_guard};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use rapport_domain::Permission;
use rapport_engine::accounts::{Principal, Via};

/// What the layout needs: who is logged in and which sections they may open.
pub struct Chrome {
    pub title: String,
    pub section: &'static str,
    pub user: String,
    pub role: &'static str,
    pub csrf: String,
    pub topics: bool,
    pub users: bool,
}

impl Chrome {
    pub fn anonymous(title: &str) -> Self {
        Self {
            title: title.into(),
            section: "",
            user: String::new(),
            role: "",
            csrf: String::new(),
            topics: false,
            users: false,
        }
    }

    pub fn for_principal(p: &Principal, title: &str, section: &'static str) -> Self {
        let csrf = match &p.via {
            Via::Session { csrf_token } => csrf_token.clone(),
            Via::Token { .. } => String::new(),
        };
        Self {
            title: title.into(),
            section,
            user: p.user.display_name.clone(),
            role: p.user.role.as_str(),
            csrf,
            topics: p.can(Permission::ReadTopics),
            users: p.can(Permission::ManageUsers),
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct Message<'a> {
    chrome: Chrome,
    heading: &'a str,
    message: &'a str,
}

/// Renders a template, or a plain 500 when rendering fails (logged, never shown).
pub fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

pub fn message(status: StatusCode, chrome: Chrome, heading: &str, text: &str) -> Response {
    render(
        status,
        &Message {
            chrome,
            heading,
            message: text,
        },
    )
}

pub fn forbidden(p: &Principal) -> Response {
    message(
        StatusCode::FORBIDDEN,
        Chrome::for_principal(p, "Not allowed", ""),
        "Not allowed",
        &format!("Your role ({}) does not allow this page.", p.user.role),
    )
}

fn guarded(
    needed: Permission,
    route: MethodRouter<AppState>,
    state: &AppState,
) -> MethodRouter<AppState> {
    // The CSRF check runs inside the role check, so strangers are sent to log in first.
    route
        .route_layer(from_fn_with_state(state.clone(), csrf::check))
        .route_layer(from_fn_with_state(needed, page_guard))
}

pub fn routes(state: &AppState) -> Router<AppState> {
    use Permission::*;
    let s = state;
    Router::new()
        .route(
            "/",
            get(home::home).route_layer(axum::middleware::from_fn(page_login_guard)),
        )
        .route(
            "/login",
            get(login::form)
                .merge(post(login::submit).route_layer(from_fn_with_state(s.clone(), csrf::check))),
        )
        .route(
            "/setup",
            get(login::setup_form)
                .merge(post(login::setup).route_layer(from_fn_with_state(s.clone(), csrf::check))),
        )
        .route(
            "/logout",
            post(login::logout)
                .route_layer(from_fn_with_state(s.clone(), csrf::check))
                .route_layer(axum::middleware::from_fn(page_login_guard)),
        )
        .route(
            "/topics",
            guarded(ReadTopics, get(topics::list), s).merge(guarded(
                WriteTopics,
                post(topics::add),
                s,
            )),
        )
        .route("/topics/check", guarded(ReadTopics, get(topics::check), s))
        .route(
            "/topics/backtest",
            guarded(ReadTopics, get(topics::backtest), s),
        )
        .route(
            "/topics/{name}",
            guarded(ReadTopics, get(topics::show), s).merge(guarded(
                WriteTopics,
                post(topics::edit),
                s,
            )),
        )
        .route(
            "/topics/{name}/delete",
            guarded(WriteTopics, post(topics::delete), s),
        )
        .route(
            "/settings/users",
            guarded(ManageUsers, get(settings::page), s).merge(guarded(
                ManageUsers,
                post(settings::create_user),
                s,
            )),
        )
        .route(
            "/settings/users/{id}",
            guarded(ManageUsers, post(settings::update_user), s),
        )
        .route(
            "/settings/tokens",
            guarded(ManageUsers, post(settings::create_token), s),
        )
        .route(
            "/settings/tokens/{id}/revoke",
            guarded(ManageUsers, post(settings::revoke_token), s),
        )
}
