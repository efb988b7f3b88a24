//! The HTML UI: server-rendered askama templates (escaped by default; post text is never
//! marked safe), a little CSS and JavaScript of our own, no build step.

mod account;
mod case;
mod contacts;
mod home;
mod inbox;
mod live;
mod login;
mod login_sso;
mod notifications;
mod publish;
mod reports_listening;
mod search;
mod settings;
mod settings_care;
mod settings_channels;
mod settings_security;
mod topics;
mod undo;

pub(crate) use search::encode;
pub use undo::UndoBook;

use crate::AppState;
use crate::auth::{csrf, page_guard};
use crate::routes::{Access, RouteInfo, Surface, Table};
use askama::Template;
use axum::Router;
use axum::http::{Method, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::MethodRouter;
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
    pub inbox: bool,
    pub contacts: bool,
    pub publish: bool,
    pub reports: bool,
    /// The user must set up two-factor sign-in before anything else: no navigation.
    pub enrolling: bool,
    /// What the header's search box holds (the search page's own query).
    pub search: String,
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
            inbox: false,
            contacts: false,
            publish: false,
            reports: false,
            enrolling: false,
            search: String::new(),
        }
    }

    pub fn for_principal(p: &Principal, title: &str, section: &'static str) -> Self {
        let csrf = match &p.via {
            Via::Session { csrf_token, .. } => csrf_token.clone(),
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
            inbox: p.can(Permission::ReadInbox),
            contacts: p.can(Permission::ReadContacts),
            publish: p.can(Permission::ReadPublications),
            reports: p.can(Permission::ReadReports),
            enrolling: matches!(
                p.via,
                Via::Session {
                    enrol_two_factor: true,
                    ..
                }
            ),
            search: String::new(),
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

#[derive(Template)]
#[template(path = "confirm.html")]
struct Confirm<'a> {
    chrome: Chrome,
    heading: &'a str,
    question: &'a str,
    action: &'a str,
    fields: Vec<(String, String)>,
    button: &'a str,
    cancel: &'a str,
}

/// What a deletion asks before it deletes.
pub(crate) struct Ask<'a> {
    pub heading: &'a str,
    pub question: &'a str,
    pub button: &'a str,
    /// Where "Cancel" goes.
    pub cancel: &'a str,
}

/// Whether a deletion's form carries the confirmation its confirm page adds.
pub(crate) fn confirmed(form: &[(String, String)]) -> bool {
    form.iter().any(|(k, v)| k == "confirm" && v == "yes")
}

/// The confirmation step of a deletion: a page that asks, with a form that posts the same
/// fields to the same `action` again with `confirm=yes` (and the CSRF token). It works
/// without script, and the first POST changed nothing.
pub(crate) fn confirm(
    p: &Principal,
    section: &'static str,
    ask: &Ask<'_>,
    action: &str,
    form: &[(String, String)],
) -> Response {
    let fields = form
        .iter()
        .filter(|(k, _)| k != "csrf" && k != "confirm")
        .cloned()
        .collect();
    render(
        StatusCode::OK,
        &Confirm {
            chrome: Chrome::for_principal(p, ask.heading, section),
            heading: ask.heading,
            question: ask.question,
            action,
            fields,
            button: ask.button,
            cancel: ask.cancel,
        },
    )
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFound<'a> {
    chrome: Chrome,
    path: &'a str,
}

/// Any path no route serves: a page in the app's layout, with the way back to what the caller
/// may open (anonymous callers get the way to log in).
pub(crate) async fn not_found(
    principal: Option<axum::Extension<Principal>>,
    uri: axum::http::Uri,
) -> Response {
    let chrome = match &principal {
        Some(axum::Extension(p)) => Chrome::for_principal(p, "Page not found", ""),
        None => Chrome::anonymous("Page not found"),
    };
    render(
        StatusCode::NOT_FOUND,
        &NotFound {
            chrome,
            path: uri.path(),
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

/// Pages check the session and role first, so strangers are sent to log in before anything
/// else; forms then check their CSRF token. The login and setup forms, open to anyone, check
/// the pre-session token.
fn guard(
    state: &AppState,
    access: Access,
    method: &Method,
    path: &'static str,
    route: MethodRouter<AppState>,
) -> MethodRouter<AppState> {
    let route = Table::with_audit(state, Surface::Page, access, method, path, route);
    let route = match (access, *method == Method::POST) {
        (_, false) => route,
        (Access::Public, true) => {
            route.route_layer(from_fn_with_state(state.clone(), csrf::check_pre_session))
        }
        (_, true) => route.route_layer(from_fn_with_state(state.clone(), csrf::check)),
    };
    route.route_layer(from_fn_with_state(access, page_guard))
}

pub fn routes(state: &AppState) -> (Router<AppState>, Vec<RouteInfo>) {
    use Access::{LoggedIn, Needs, Public};
    use Method as M;
    use Permission::*;
    Table::new(state, "", Surface::Page, guard)
        .add(M::GET, "/", LoggedIn, home::home)
        .add(M::GET, "/search", LoggedIn, search::search)
        .add(
            M::GET,
            "/reports/listening",
            Needs(ReadReports),
            reports_listening::page,
        )
        .add(
            M::GET,
            "/reports/listening/posts",
            Needs(ReadReports),
            reports_listening::posts,
        )
        .add(
            M::GET,
            "/reports/listening.csv",
            Needs(ReadReports),
            reports_listening::csv,
        )
        .add(M::GET, "/cases/{id}", Needs(ReadInbox), case::show)
        .add(
            M::POST,
            "/cases/{id}/fields",
            Needs(WriteCases),
            case::save_fields,
        )
        .add(
            M::POST,
            "/cases/{id}/assign",
            Needs(WriteCases),
            case::assign,
        )
        .add(
            M::POST,
            "/cases/{id}/team",
            Needs(WriteCases),
            case::set_team,
        )
        .add(
            M::POST,
            "/cases/{id}/status",
            Needs(WriteCases),
            case::set_status,
        )
        .add(M::POST, "/undo", Needs(WriteCases), undo::undo)
        .add(
            M::POST,
            "/cases/{id}/priority",
            Needs(WriteCases),
            case::set_priority,
        )
        .add(
            M::POST,
            "/cases/{id}/tags",
            Needs(WriteCases),
            case::add_tag,
        )
        .add(
            M::POST,
            "/cases/{id}/tags/remove",
            Needs(WriteCases),
            case::remove_tag,
        )
        .add(
            M::POST,
            "/cases/{id}/notes",
            Needs(WriteCases),
            case::add_note,
        )
        .add(
            M::POST,
            "/cases/{id}/replies",
            Needs(WriteCases),
            case::queue_reply,
        )
        .add(
            M::POST,
            "/cases/{id}/replies/{entry}/resend",
            Needs(WriteCases),
            case::resend_reply,
        )
        .add(
            M::GET,
            "/cases/{id}/compose-count",
            Needs(ReadInbox),
            case::compose_count,
        )
        .add(
            M::GET,
            "/cases/{id}/saved-reply",
            Needs(ReadInbox),
            case::saved_reply,
        )
        .add(
            M::POST,
            "/cases/{id}/presence",
            Needs(ReadInbox),
            case::presence,
        )
        .add(M::GET, "/cases/{id}/events", Needs(ReadInbox), case::events)
        .add(M::GET, "/contacts", Needs(ReadContacts), contacts::list)
        .add(
            M::GET,
            "/contacts/{id}",
            Needs(ReadContacts),
            contacts::show,
        )
        .add(
            M::POST,
            "/contacts/{id}",
            Needs(WriteContacts),
            contacts::save_fields,
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
            contacts::export,
        )
        .add(
            M::POST,
            "/contacts/{id}/erase",
            Needs(ManageUsers),
            contacts::erase,
        )
        .add(M::GET, "/leads", Needs(ReadContacts), contacts::leads)
        .add(M::GET, "/login", Public, login::form)
        .add(M::POST, "/login", Public, login::submit)
        .add(M::GET, "/setup", Public, login::setup_form)
        .add(M::POST, "/setup", Public, login::setup)
        .add(M::POST, "/logout", LoggedIn, login::logout)
        .add(
            M::GET,
            "/login/two-factor",
            Public,
            login::second_factor_form,
        )
        .add(M::POST, "/login/two-factor", Public, login::second_factor)
        .add(M::GET, "/login/sso", Public, login_sso::start)
        .add(M::GET, "/login/sso/callback", Public, login_sso::callback)
        .add(M::GET, "/account", LoggedIn, account::show)
        .add(
            M::POST,
            "/account/password",
            LoggedIn,
            account::change_password,
        )
        .add(
            M::POST,
            "/account/sessions/end",
            LoggedIn,
            account::end_sessions,
        )
        .add(M::GET, "/notifications", LoggedIn, notifications::page)
        .add(
            M::POST,
            "/notifications/read",
            LoggedIn,
            notifications::read,
        )
        .add(
            M::POST,
            "/notifications/read-all",
            LoggedIn,
            notifications::read_all,
        )
        .add(
            M::GET,
            "/notifications/events",
            LoggedIn,
            notifications::events,
        )
        .add(
            M::GET,
            "/account/notifications",
            LoggedIn,
            notifications::settings,
        )
        .add(
            M::POST,
            "/account/notifications",
            LoggedIn,
            notifications::save_settings,
        )
        .add(M::GET, "/account/two-factor", LoggedIn, account::two_factor)
        .add(
            M::POST,
            "/account/two-factor",
            LoggedIn,
            account::two_factor_step,
        )
        .add(M::GET, "/inbox", Needs(ReadInbox), inbox::page)
        .add(M::POST, "/inbox/bulk", Needs(WriteCases), inbox::bulk)
        .add(
            M::POST,
            "/inbox/views",
            Needs(ReadInbox),
            inbox::create_view,
        )
        .add(
            M::POST,
            "/inbox/views/{id}/rename",
            Needs(ReadInbox),
            inbox::rename_view,
        )
        .add(
            M::POST,
            "/inbox/views/{id}/delete",
            Needs(ReadInbox),
            inbox::delete_view,
        )
        .add(M::GET, "/inbox/events", Needs(ReadInbox), live::events)
        .add(M::GET, "/publish", Needs(ReadPublications), publish::list)
        .add(
            M::POST,
            "/publish",
            Needs(WritePublications),
            publish::create,
        )
        .add(
            M::GET,
            "/publish/new",
            Needs(WritePublications),
            publish::new_form,
        )
        .add(
            M::GET,
            "/publish/calendar",
            Needs(ReadPublications),
            publish::calendar,
        )
        .add(
            M::GET,
            "/publish/{id}",
            Needs(ReadPublications),
            publish::show,
        )
        .add(
            M::GET,
            "/publish/{id}/edit",
            Needs(WritePublications),
            publish::edit_form,
        )
        .add(
            M::POST,
            "/publish/{id}",
            Needs(WritePublications),
            publish::save,
        )
        .add(
            M::POST,
            "/publish/{id}/review",
            Needs(ApprovePublications),
            publish::review,
        )
        .add(
            M::POST,
            "/publish/{id}/schedule",
            Needs(WritePublications),
            publish::schedule,
        )
        .add(
            M::POST,
            "/publish/{id}/delete",
            Needs(WritePublications),
            publish::delete,
        )
        .add(M::GET, "/topics", Needs(ReadTopics), topics::list)
        .add(M::POST, "/topics", Needs(WriteTopics), topics::add)
        .add(M::GET, "/topics/check", Needs(ReadTopics), topics::check)
        .add(
            M::GET,
            "/topics/backtest",
            Needs(ReadTopics),
            topics::backtest,
        )
        .add(M::GET, "/topics/{name}", Needs(ReadTopics), topics::show)
        .add(M::POST, "/topics/{name}", Needs(WriteTopics), topics::edit)
        .add(
            M::POST,
            "/topics/{name}/delete",
            Needs(WriteTopics),
            topics::delete,
        )
        .add(M::GET, "/settings", Needs(ManageUsers), settings::index)
        .add(
            M::GET,
            "/settings/users",
            Needs(ManageUsers),
            settings::page,
        )
        .add(
            M::POST,
            "/settings/users",
            Needs(ManageUsers),
            settings::create_user,
        )
        .add(
            M::POST,
            "/settings/users/{id}",
            Needs(ManageUsers),
            settings::update_user,
        )
        .add(
            M::POST,
            "/settings/users/{id}/password",
            Needs(ManageUsers),
            settings::reset_password,
        )
        .add(
            M::POST,
            "/settings/users/{id}/two-factor/reset",
            Needs(ManageUsers),
            settings::reset_two_factor,
        )
        .add(
            M::GET,
            "/settings/security",
            Needs(ManageUsers),
            settings_security::show,
        )
        .add(
            M::POST,
            "/settings/security",
            Needs(ManageUsers),
            settings_security::save,
        )
        .add(
            M::GET,
            "/settings/audit",
            Needs(ManageUsers),
            settings_security::audit,
        )
        .add(
            M::GET,
            "/settings/audit.csv",
            Needs(ManageUsers),
            settings_security::export,
        )
        .add(
            M::POST,
            "/settings/tokens",
            Needs(ManageUsers),
            settings::create_token,
        )
        .add(
            M::POST,
            "/settings/tokens/{id}/revoke",
            Needs(ManageUsers),
            settings::revoke_token,
        )
        .add(
            M::GET,
            "/settings/teams",
            Needs(ManageUsers),
            settings_care::teams::list,
        )
        .add(
            M::POST,
            "/settings/teams",
            Needs(ManageUsers),
            settings_care::teams::create,
        )
        .add(
            M::GET,
            "/settings/teams/{id}",
            Needs(ManageUsers),
            settings_care::teams::show,
        )
        .add(
            M::POST,
            "/settings/teams/{id}",
            Needs(ManageUsers),
            settings_care::teams::save,
        )
        .add(
            M::GET,
            "/settings/publishing",
            Needs(ManageUsers),
            settings_care::publishing::show,
        )
        .add(
            M::POST,
            "/settings/publishing",
            Needs(ManageUsers),
            settings_care::publishing::save,
        )
        .add(
            M::GET,
            "/settings/sla",
            Needs(ManageUsers),
            settings_care::sla::list,
        )
        .add(
            M::POST,
            "/settings/sla",
            Needs(ManageUsers),
            settings_care::sla::create,
        )
        .add(
            M::GET,
            "/settings/sla/{name}",
            Needs(ManageUsers),
            settings_care::sla::show,
        )
        .add(
            M::POST,
            "/settings/sla/{name}",
            Needs(ManageUsers),
            settings_care::sla::save,
        )
        .add(
            M::GET,
            "/settings/routing",
            Needs(ManageUsers),
            settings_care::routing::page,
        )
        .add(
            M::POST,
            "/settings/routing",
            Needs(ManageUsers),
            settings_care::routing::save,
        )
        .add(
            M::GET,
            "/settings/accounts",
            Needs(ManageUsers),
            settings_care::accounts::list,
        )
        .add(
            M::POST,
            "/settings/accounts",
            Needs(ManageUsers),
            settings_care::accounts::add,
        )
        .add(
            M::POST,
            "/settings/accounts/remove",
            Needs(ManageUsers),
            settings_care::accounts::remove,
        )
        .add(
            M::GET,
            "/settings/channels",
            Needs(ManageUsers),
            settings_channels::list,
        )
        .add(
            M::POST,
            "/settings/channels",
            Needs(ManageUsers),
            settings_channels::add,
        )
        .add(
            M::POST,
            "/settings/channels/remove",
            Needs(ManageUsers),
            settings_channels::remove,
        )
        .add(
            M::GET,
            "/settings/replies",
            Needs(ManageUsers),
            settings_care::replies::list,
        )
        .add(
            M::POST,
            "/settings/replies",
            Needs(ManageUsers),
            settings_care::replies::create,
        )
        .add(
            M::GET,
            "/settings/replies/{name}",
            Needs(ManageUsers),
            settings_care::replies::show,
        )
        .add(
            M::POST,
            "/settings/replies/{name}",
            Needs(ManageUsers),
            settings_care::replies::save,
        )
        .add(
            M::POST,
            "/settings/replies/{name}/delete",
            Needs(ManageUsers),
            settings_care::replies::remove,
        )
        .finish()
}
