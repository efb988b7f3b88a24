//! Who is calling, and whether they may.
//!
//! [`identify`] runs on every request: a `rapport_session` cookie or an
//! `Authorization: Bearer` API token becomes a [`Principal`] in the request's extensions.
//! Each route's declared [`Access`] is then enforced by [`page_guard`] or [`api_guard`].

pub mod audit;
pub mod client;
pub mod csrf;
pub mod ratelimit;

use crate::routes::Access;
use crate::{ApiError, AppState};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use rapport_engine::accounts::{Principal, Via};

pub const SESSION_COOKIE: &str = "rapport_session";

/// The value of a cookie, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, `Secure` when configured.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

/// Finds the caller, if any, and keeps them in the request for the guards and handlers.
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_string);
    let session = cookie(request.headers(), SESSION_COOKIE).map(str::to_string);
    let found = match (bearer, session) {
        (Some(token), _) => state.accounts.verify_api_token(&token).await,
        (None, Some(token)) => state.accounts.session(&token).await,
        (None, None) => Ok(None),
    };
    match found {
        Ok(Some(principal)) => {
            request.extensions_mut().insert(principal);
        }
        Ok(None) => {}
        Err(e) => {
            tracing::error!(error = %e, "looking up the caller failed");
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error",
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// API routes: 401 without a valid API token, 403 when its role or scopes do not allow it.
/// A browser session does not open the API: API writes carry no CSRF token, so only callers
/// that hold a token may make them.
pub async fn api_guard(State(access): State<Access>, request: Request, next: Next) -> Response {
    let caller = request
        .extensions()
        .get::<Principal>()
        .filter(|p| matches!(p.via, Via::Token { .. }));
    match (access, caller) {
        (Access::Public, _) => next.run(request).await,
        (_, None) => ApiError::unauthorized().into_response(),
        (Access::Needs(needed), Some(p)) if !p.can(needed) => ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this needs the '{needed}' permission"),
        )
        .into_response(),
        _ => next.run(request).await,
    }
}

/// Where a user the security policy requires to set up two-factor sign-in may go before they
/// have: the set-up itself, and the way out.
fn open_while_enrolling(path: &str) -> bool {
    path == "/account/two-factor" || path == "/logout"
}

/// HTML routes: to the login page without a session, 403 when the role does not allow it.
/// API tokens do not open pages: pages are for people. A user who must set up two-factor
/// sign-in first is sent to do so.
pub async fn page_guard(State(access): State<Access>, request: Request, next: Next) -> Response {
    let caller = request
        .extensions()
        .get::<Principal>()
        .filter(|p| matches!(p.via, Via::Session { .. }));
    let enrolling = caller.is_some_and(|p| {
        matches!(
            p.via,
            Via::Session {
                enrol_two_factor: true,
                ..
            }
        )
    });
    match (access, caller) {
        (Access::Public, _) => next.run(request).await,
        (_, None) => Redirect::to("/login").into_response(),
        _ if enrolling && !open_while_enrolling(request.uri().path()) => {
            Redirect::to("/account/two-factor").into_response()
        }
        (Access::Needs(needed), Some(p)) if !p.can(needed) => crate::pages::forbidden(p),
        _ => next.run(request).await,
    }
}
