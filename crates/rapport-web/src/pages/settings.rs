//! Users, roles and API tokens, for admins.

use super::{Chrome, message, render};
use crate::AppState;
use crate::auth::client::ClientAddress;
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use rapport_domain::{Permission, Role, User, UserId};
use rapport_engine::accounts::{
    AccountError, ApiTokenId, AuditActor, Principal, TokenLimits, UserUpdate,
};

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
    expires: String,
    role: String,
    revoked: bool,
    expired: bool,
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
    let now = Utc::now();
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
            expires: t
                .expires_at
                .map_or_else(|| "never".into(), |at| at.format(TIME).to_string()),
            role: t
                .role
                .map_or_else(|| "creator's".into(), |r| r.as_str().to_string()),
            revoked: t.revoked_at.is_some(),
            expired: t.expires_at.is_some_and(|at| at <= now),
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
        | AccountError::ExpiryInThePast
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
    ClientAddress(address): ClientAddress,
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
    let actor = AuditActor::user(&p.user, Some(&address));
    match state
        .accounts
        .create_user_as(&actor, name, display, role, password)
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
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let role = field(&form, "role").and_then(|r| r.parse::<Role>().ok());
    let update = UserUpdate {
        role,
        active: Some(field(&form, "active").is_some()),
        display_name: None,
    };
    let actor = AuditActor::user(&p.user, Some(&address));
    match state.accounts.update_user(&actor, UserId(id), update).await {
        Ok(user) => {
            tracing::info!(by = %p.user.name, user = %user.name, role = %user.role, active = user.active, "user changed");
            Redirect::to("/settings/users").into_response()
        }
        Err(e) => refused(&state, &p, e).await,
    }
}

/// `POST /settings/users/{id}/password`: an admin sets a user's password.
pub async fn reset_password(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let password = field(&form, "password").unwrap_or_default();
    let actor = AuditActor::user(&p.user, Some(&address));
    match state
        .accounts
        .reset_password(&actor, &p.user, UserId(id), password)
        .await
    {
        Ok(()) => {
            tracing::info!(by = %p.user.name, user = id, "password reset by an admin");
            Redirect::to("/settings/users").into_response()
        }
        Err(e) => refused(&state, &p, e).await,
    }
}

/// `POST /settings/users/{id}/two-factor/reset`: removes a user's two-factor sign-in.
pub async fn reset_two_factor(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Response {
    let actor = AuditActor::user(&p.user, Some(&address));
    match state
        .accounts
        .reset_two_factor(&actor, &p.user, UserId(id))
        .await
    {
        Ok(()) => {
            tracing::info!(by = %p.user.name, user = id, "two-factor sign-in reset by an admin");
            Redirect::to("/settings/users").into_response()
        }
        Err(e) => refused(&state, &p, e).await,
    }
}

/// The most days ahead a token's expiry may be set from the form.
const MAX_TOKEN_DAYS: i64 = 3_650;

/// `POST /settings/tokens`: makes a token and shows it this once.
pub async fn create_token(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ClientAddress(address): ClientAddress,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let scopes: Vec<Permission> = form
        .iter()
        .filter(|(k, _)| k == "scope")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let name = field(&form, "name").unwrap_or_default();
    let days = match field(&form, "expires_days").map(str::trim) {
        None | Some("") => None,
        Some(d) => match d.parse::<i64>() {
            Ok(n) if (1..=MAX_TOKEN_DAYS).contains(&n) => Some(n),
            _ => {
                return page_with(
                    &state,
                    &p,
                    StatusCode::BAD_REQUEST,
                    format!("expiry: give a number of days from 1 to {MAX_TOKEN_DAYS}, or none"),
                    String::new(),
                    String::new(),
                )
                .await;
            }
        },
    };
    let limits = TokenLimits {
        expires_at: days.map(|d| Utc::now() + Duration::days(d)),
        role: field(&form, "role").and_then(|r| r.parse::<Role>().ok()),
    };
    let actor = AuditActor::user(&p.user, Some(&address));
    match state
        .accounts
        .create_limited_api_token(&actor, &p.user, name, &scopes, limits)
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
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Response {
    let actor = AuditActor::user(&p.user, Some(&address));
    match state
        .accounts
        .revoke_api_token(&actor, ApiTokenId(id))
        .await
    {
        Ok(_) => {
            tracing::info!(by = %p.user.name, token = id, "api token revoked");
            Redirect::to("/settings/users").into_response()
        }
        Err(e) => failed(&p, e),
    }
}
