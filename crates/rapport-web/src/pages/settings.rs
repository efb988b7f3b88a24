//! Users, roles and API tokens, for admins.

use super::{Chrome, message, render};
use crate::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rapport_domain::{Permission, Role, User, UserId};
use rapport_engine::accounts::{AccountError, ApiTokenId, Principal, UserUpdate};

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<User>,
    tokens: Vec<TokenRow>,
    roles: Vec<&'static str>,
    scopes: Vec<&'static str>,
    error: String,
    notice: String,
    new_secret: String,
}

struct TokenRow {
    id: i64,
    name: String,
    scopes: String,
    created: String,
    last_used: String,
    revoked: bool,
}

const TIME: &str = "%Y-%m-%d %H:%M UTC";

async fn page_with(
    state: &AppState,
    p: &Principal,
    status: StatusCode,
    error: String,
    notice: String,
    new_secret: String,
) -> Response {
    let (users, tokens) = match (
        state.accounts.users().await,
        state.accounts.api_tokens().await,
    ) {
        (Ok(u), Ok(t)) => (u, t),
        (Err(e), _) | (_, Err(e)) => return failed(p, e),
    };
    let tokens = tokens
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.0,
            name: t.name,
            scopes: t
                .scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            created: t.created_at.format(TIME).to_string(),
            last_used: t
                .last_used_at
                .map_or_else(|| "never".into(), |at| at.format(TIME).to_string()),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    render(
        status,
        &UsersPage {
            chrome: Chrome::for_principal(p, "Users and API tokens", "settings"),
            users,
            tokens,
            roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
            scopes: Permission::ALL.iter().map(|p| p.as_str()).collect(),
            error,
            notice,
            new_secret,
        },
    )
}

fn failed(p: &Principal, e: AccountError) -> Response {
    tracing::error!(error = %e, "settings page failed");
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        Chrome::for_principal(p, "Error", "settings"),
        "Something went wrong",
        "The request failed; try again.",
    )
}

/// Errors the admin can fix, shown on the page; the rest are logged.
async fn refused(state: &AppState, p: &Principal, e: AccountError) -> Response {
    let status = match &e {
        AccountError::NameTaken(_) => StatusCode::CONFLICT,
        AccountError::NoSuchUser(_) => StatusCode::NOT_FOUND,
        AccountError::BadName(_)
        | AccountError::WeakPassword(_)
        | AccountError::BadTokenName
        | AccountError::NoScopes
        | AccountError::LastAdmin => StatusCode::BAD_REQUEST,
        _ => return failed(p, e),
    };
    page_with(
        state,
        p,
        status,
        e.to_string(),
        String::new(),
        String::new(),
    )
    .await
}

/// `GET /settings/users`.
#[derive(Template)]
#[template(path = "settings_index.html")]
struct SettingsIndex {
    chrome: Chrome,
}

/// `GET /settings`: every settings page, with what it holds.
pub async fn index(Extension(p): Extension<Principal>) -> Response {
    render(
        StatusCode::OK,
        &SettingsIndex {
            chrome: Chrome::for_principal(&p, "Settings", "settings"),
        },
    )
}

pub async fn page(State(state): State<AppState>, Extension(p): Extension<Principal>) -> Response {
    page_with(
        &state,
        &p,
        StatusCode::OK,
        String::new(),
        String::new(),
        String::new(),
    )
    .await
}

/// Form fields by name; checkboxes and repeated fields come as several pairs.
fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `POST /settings/users`: adds a user.
pub async fn create_user(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let Some(role) = field(&form, "role").and_then(|r| r.parse::<Role>().ok()) else {
        return page_with(
            &state,
            &p,
            StatusCode::BAD_REQUEST,
            "choose a role".into(),
            String::new(),
            String::new(),
        )
        .await;
    };
    let name = field(&form, "name").unwrap_or_default();
    let display = field(&form, "display_name").unwrap_or_default();
    let password = field(&form, "password").unwrap_or_default();
    match state
        .accounts
        .create_user(name, display, role, password)
        .await
    {
        Ok(user) => {
            tracing::info!(by = %p.user.name, user = %user.name, role = %user.role, "user created");
            Redirect::to("/settings/users").into_response()
        }
        Err(e) => refused(&state, &p, e).await,
    }
}

/// `POST /settings/users/{id}`: role and active flag.
pub async fn update_user(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let role = field(&form, "role").and_then(|r| r.parse::<Role>().ok());
    let update = UserUpdate {
        role,
        active: Some(field(&form, "active").is_some()),
        display_name: None,
    };
    match state.accounts.update_user(UserId(id), update).await {
        Ok(user) => {
            tracing::info!(by = %p.user.name, user = %user.name, role = %user.role, active = user.active, "user changed");
            Redirect::to("/settings/users").into_response()
        }
        Err(e) => refused(&state, &p, e).await,
    }
}

/// `POST /settings/tokens`: makes a token and shows it this once.
pub async fn create_token(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let scopes: Vec<Permission> = form
        .iter()
        .filter(|(k, _)| k == "scope")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let name = field(&form, "name").unwrap_or_default();
    match state
        .accounts
        .create_api_token(&p.user, name, &scopes)
        .await
    {
        Ok(made) => {
            tracing::info!(by = %p.user.name, token = %made.token.id, "api token created");
            page_with(
                &state,
                &p,
                StatusCode::CREATED,
                String::new(),
                format!("Token '{}' created.", made.token.name),
                made.secret,
            )
            .await
        }
        Err(e) => refused(&state, &p, e).await,
    }
}

/// `POST /settings/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
) -> Response {
    match state.accounts.revoke_api_token(ApiTokenId(id)).await {
        Ok(_) => {
            tracing::info!(by = %p.user.name, token = id, "api token revoked");
            Redirect::to("/settings/users").into_response()
        }
        Err(e) => failed(&p, e),
    }
}
