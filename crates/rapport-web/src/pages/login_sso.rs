//! Single sign-on: `GET /login/sso` sends the browser to the provider, and
//! `GET /login/sso/callback` finishes the sign-in when the provider sends it back.
//!
//! The secrets of a started sign-in (state, nonce, PKCE verifier) wait in the `rapport_sso`
//! cookie, HttpOnly and SameSite=Lax: Lax, because the provider's redirect back is a
//! cross-site top-level navigation, which Lax cookies accompany and Strict ones do not.

use super::login::{logged_in, login_page};
use crate::AppState;
use crate::auth::client::ClientAddress;
use crate::auth::{cookie, set_cookie};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rapport_engine::accounts::{
    AccountError, OidcCallback, OidcError, OidcPending, PENDING_SECONDS, SsoError,
};

/// The cookie that holds a sign-in started at the provider.
pub const SSO_COOKIE: &str = "rapport_sso";

/// `GET /login/sso`: to the provider's login, or back to the login page saying why not.
pub async fn start(State(state): State<AppState>, uri: axum::http::Uri) -> Response {
    let Some(sso) = state.accounts.sso() else {
        return super::not_found(None, uri).await;
    };
    match sso.start().await {
        Ok(start) => {
            let cookie = set_cookie(
                SSO_COOKIE,
                &start.pending.to_cookie(),
                PENDING_SECONDS,
                state.config.secure_cookies,
            );
            ([(header::SET_COOKIE, cookie)], Redirect::to(&start.url)).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "single sign-on could not start");
            login_page(
                &state,
                StatusCode::BAD_GATEWAY,
                "",
                "The identity provider cannot be reached right now. Try again in a moment.",
            )
        }
    }
}

/// `GET /login/sso/callback`: the provider's answer becomes a session, or the login page
/// says what went wrong. The started sign-in is used up either way.
pub async fn callback(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Query(answer): Query<OidcCallback>,
) -> Response {
    let clear = set_cookie(SSO_COOKIE, "", 0, state.config.secure_cookies);
    let mut response = match cookie(&headers, SSO_COOKIE).and_then(OidcPending::from_cookie) {
        None => failed(
            &state,
            &AccountError::Sso(SsoError::Oidc(OidcError::StateMismatch)),
        ),
        Some(pending) => match state
            .accounts
            .sso_sign_in(&pending, &answer, Some(&address))
            .await
        {
            Ok((principal, session)) => {
                tracing::info!(user = %principal.user.name, %address, "logged in through single sign-on");
                logged_in(&state, &session, "/")
            }
            Err(e) => {
                tracing::warn!(%address, error = %e, "single sign-on refused");
                failed(&state, &e)
            }
        },
    };
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear.parse().expect("cookie is ASCII"));
    response
}

/// The login page, saying why single sign-on failed in words the person can act on.
fn failed(state: &AppState, e: &AccountError) -> Response {
    let (status, message) = match e {
        AccountError::Sso(SsoError::Oidc(OidcError::Provider(_) | OidcError::Settings(_))) => (
            StatusCode::BAD_GATEWAY,
            "The identity provider cannot be reached right now. Try again in a moment.".into(),
        ),
        AccountError::Sso(SsoError::Oidc(OidcError::StateMismatch)) => (
            StatusCode::BAD_REQUEST,
            "That sign-in was not started here, or took too long. Start again.".into(),
        ),
        AccountError::Sso(
            e @ (SsoError::NoRole
            | SsoError::Deactivated
            | SsoError::NameTaken(_)
            | SsoError::NoName),
        ) => (
            StatusCode::FORBIDDEN,
            format!("Single sign-on refused: {e}."),
        ),
        AccountError::Sso(_) => (
            StatusCode::UNAUTHORIZED,
            "The identity provider did not confirm who you are. Start again.".into(),
        ),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Signing in failed; try again.".into(),
        ),
    };
    login_page(state, status, "", &message)
}
