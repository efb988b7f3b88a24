//! Log in, log out, and the first-run setup of the first admin.

use super::{Chrome, render};
use crate::AppState;
use crate::auth::client::{ClientAddress, client_address};
use crate::auth::csrf::{PRE_SESSION_COOKIE, new_token};
use crate::auth::{SESSION_COOKIE, cookie, set_cookie};
use askama::Template;
use axum::Extension;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rapport_engine::accounts::{
    AccountError, AuditActor, NewSession, SECOND_FACTOR_WINDOW, SignIn,
};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    name: String,
    error: String,
    /// The single sign-on provider's name, when sign-in through one is set up.
    sso_label: Option<String>,
}

#[derive(Template)]
#[template(path = "login_two_factor.html")]
struct SecondFactorPage {
    chrome: Chrome,
    csrf: String,
    user: String,
    error: String,
}

/// The cookie that holds a sign-in waiting for its two-factor code.
pub const PENDING_COOKIE: &str = "rapport_pending";

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    chrome: Chrome,
    csrf: String,
    name: String,
    display_name: String,
    error: String,
}

/// A page with a fresh pre-session CSRF token set as a cookie too.
fn with_form_cookie(
    state: &AppState,
    status: StatusCode,
    csrf: &str,
    page: &impl Template,
) -> Response {
    let cookie = set_cookie(PRE_SESSION_COOKIE, csrf, 3600, state.config.secure_cookies);
    ([(header::SET_COOKIE, cookie)], render(status, page)).into_response()
}

pub(super) fn login_page(
    state: &AppState,
    status: StatusCode,
    name: &str,
    error: &str,
) -> Response {
    let csrf = new_token();
    let page = LoginPage {
        chrome: Chrome::anonymous("Log in"),
        csrf: csrf.clone(),
        name: name.into(),
        error: error.into(),
        sso_label: state.accounts.sso().map(|s| s.label().to_string()),
    };
    with_form_cookie(state, status, &csrf, &page)
}

/// `GET /login`; the setup page instead while no one can log in.
pub async fn form(State(state): State<AppState>) -> Response {
    match state.accounts.needs_setup().await {
        Ok(true) => Redirect::to("/setup").into_response(),
        _ => login_page(&state, StatusCode::OK, "", ""),
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
}

/// Longer names and passwords are refused before any hashing: a megabyte password would
/// otherwise cost argon2 a megabyte of work per request.
const MAX_NAME_BYTES: usize = 256;
const MAX_PASSWORD_BYTES: usize = 1024;

/// `POST /login`: failed attempts slow further ones down per client address and user name
/// (see `auth::ratelimit`); sets the session cookie.
pub async fn submit(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let peer = peer.map(|Extension(ConnectInfo(a))| a.ip());
    let address = client_address(peer, &headers, &state.config.trusted_proxies);
    let name: String = f.name.chars().take(64).collect();
    if let Err(wait) = state.limiter.check(&address, &f.name) {
        tracing::warn!(%address, user = %name, wait_s = wait.as_secs(), "login refused: too many failures");
        let mut answer = login_page(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            &name,
            "Too many failed attempts. Wait a little and try again.",
        );
        answer.headers_mut().insert(
            header::RETRY_AFTER,
            // Whole seconds, rounded up: a client that waits as told is let in.
            (wait.as_secs_f64().ceil() as u64)
                .max(1)
                .to_string()
                .parse()
                .expect("digits"),
        );
        return answer;
    }
    let result = if f.name.len() > MAX_NAME_BYTES || f.password.len() > MAX_PASSWORD_BYTES {
        Err(AccountError::InvalidCredentials)
    } else {
        let from = AuditActor::unknown(&name, Some(&address));
        state.accounts.sign_in(&f.name, &f.password, &from).await
    };
    match result {
        Ok(SignIn::Done(principal, session)) => {
            state.limiter.succeeded(&address, &f.name);
            tracing::info!(user = %principal.user.name, %address, "logged in");
            logged_in(&state, &session, "/")
        }
        Ok(SignIn::SecondFactorDue(pending)) => {
            tracing::info!(user = %name, %address, "password right; two-factor code due");
            let cookie = set_cookie(
                PENDING_COOKIE,
                &pending.token,
                SECOND_FACTOR_WINDOW.num_seconds(),
                state.config.secure_cookies,
            );
            (
                [(header::SET_COOKIE, cookie)],
                Redirect::to("/login/two-factor"),
            )
                .into_response()
        }
        Err(AccountError::InvalidCredentials) => {
            state.limiter.failed(&address, &f.name);
            tracing::warn!(%address, user = %name, "login failed: wrong user name or password");
            login_page(
                &state,
                StatusCode::UNAUTHORIZED,
                &name,
                "Wrong user name or password.",
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "login failed");
            login_page(
                &state,
                StatusCode::INTERNAL_SERVER_ERROR,
                &name,
                "Logging in failed; try again.",
            )
        }
    }
}

/// Sets the session cookie, drops the pre-session form cookie, and goes on to `to`. The
/// cookie lives as long as the session at most can: its idle expiry slides with use, which
/// the server checks on every request, so a cookie cut at the first idle expiry would end
/// busy sessions early.
pub(super) fn logged_in(state: &AppState, session: &NewSession, to: &str) -> Response {
    let max_age = state.accounts.config().session_max.num_seconds().max(60);
    let secure = state.config.secure_cookies;
    let cookie = set_cookie(SESSION_COOKIE, &session.token, max_age, secure);
    let clear = set_cookie(PRE_SESSION_COOKIE, "", 0, secure);
    let mut headers = HeaderMap::new();
    headers.append(header::SET_COOKIE, cookie.parse().expect("cookie is ASCII"));
    headers.append(header::SET_COOKIE, clear.parse().expect("cookie is ASCII"));
    (headers, Redirect::to(to)).into_response()
}

fn second_factor_page(state: &AppState, status: StatusCode, user: &str, error: &str) -> Response {
    let csrf = new_token();
    let page = SecondFactorPage {
        chrome: Chrome::anonymous("Two-factor code"),
        csrf: csrf.clone(),
        user: user.into(),
        error: error.into(),
    };
    with_form_cookie(state, status, &csrf, &page)
}

/// Back to the login form, the waiting sign-in forgotten.
fn restart_login(state: &AppState) -> Response {
    let clear = set_cookie(PENDING_COOKIE, "", 0, state.config.secure_cookies);
    ([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response()
}

/// `GET /login/two-factor`: the code form of a sign-in whose password was right.
pub async fn second_factor_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = cookie(&headers, PENDING_COOKIE) else {
        return Redirect::to("/login").into_response();
    };
    match state.accounts.pending_sign_in(token).await {
        Ok(Some(user)) => second_factor_page(&state, StatusCode::OK, &user.display_name, ""),
        Ok(None) => restart_login(&state),
        Err(e) => {
            tracing::error!(error = %e, "reading a pending sign-in failed");
            restart_login(&state)
        }
    }
}

#[derive(Deserialize)]
pub struct SecondFactorForm {
    code: String,
}

/// `POST /login/two-factor`: a code from the user's app, or a recovery code. Wrong codes
/// count against the address and the user as wrong passwords do.
pub async fn second_factor(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(f): Form<SecondFactorForm>,
) -> Response {
    let Some(token) = cookie(&headers, PENDING_COOKIE) else {
        return Redirect::to("/login").into_response();
    };
    let user = match state.accounts.pending_sign_in(token).await {
        Ok(Some(user)) => user,
        _ => return restart_login(&state),
    };
    if let Err(wait) = state.limiter.check(&address, &user.name) {
        tracing::warn!(%address, user = %user.name, wait_s = wait.as_secs(), "two-factor code refused: too many failures");
        return second_factor_page(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            &user.display_name,
            "Too many wrong codes. Wait a little and try again.",
        );
    }
    let code: String = f.code.chars().take(64).collect();
    let from = AuditActor::user(&user, Some(&address));
    match state.accounts.finish_sign_in(token, &code, &from).await {
        Ok((principal, session)) => {
            state.limiter.succeeded(&address, &user.name);
            tracing::info!(user = %principal.user.name, %address, "logged in with a second factor");
            let mut answer = logged_in(&state, &session, "/");
            let clear = set_cookie(PENDING_COOKIE, "", 0, state.config.secure_cookies);
            answer
                .headers_mut()
                .append(header::SET_COOKIE, clear.parse().expect("cookie is ASCII"));
            answer
        }
        Err(AccountError::WrongCode) => {
            state.limiter.failed(&address, &user.name);
            tracing::warn!(%address, user = %user.name, "two-factor code wrong");
            second_factor_page(
                &state,
                StatusCode::UNAUTHORIZED,
                &user.display_name,
                "That code is wrong or was used already.",
            )
        }
        Err(AccountError::SignInExpired) => restart_login(&state),
        Err(e) => {
            tracing::error!(error = %e, "two-factor sign-in failed");
            second_factor_page(
                &state,
                StatusCode::INTERNAL_SERVER_ERROR,
                &user.display_name,
                "Signing in failed; try again.",
            )
        }
    }
}

/// `POST /logout`: ends the session and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && let Err(e) = state.accounts.logout(token, Some(&address)).await
    {
        tracing::error!(error = %e, "logout failed");
    }
    let clear = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    ([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response()
}

fn setup_page(
    state: &AppState,
    status: StatusCode,
    name: &str,
    display: &str,
    error: &str,
) -> Response {
    let csrf = new_token();
    let page = SetupPage {
        chrome: Chrome::anonymous("Set up"),
        csrf: csrf.clone(),
        name: name.into(),
        display_name: display.into(),
        error: error.into(),
    };
    with_form_cookie(state, status, &csrf, &page)
}

/// `GET /setup`: open only while there is no user.
pub async fn setup_form(State(state): State<AppState>) -> Response {
    match state.accounts.needs_setup().await {
        Ok(true) => setup_page(&state, StatusCode::OK, "", "", ""),
        _ => Redirect::to("/login").into_response(),
    }
}

#[derive(Deserialize)]
pub struct SetupForm {
    name: String,
    #[serde(default)]
    display_name: String,
    password: String,
    confirm: String,
}

/// `POST /setup`: creates the first admin and logs them in.
pub async fn setup(State(state): State<AppState>, Form(f): Form<SetupForm>) -> Response {
    if f.password != f.confirm {
        return setup_page(
            &state,
            StatusCode::BAD_REQUEST,
            &f.name,
            &f.display_name,
            "The two passwords differ.",
        );
    }
    match state
        .accounts
        .setup_first_admin(&f.name, &f.display_name, &f.password)
        .await
    {
        Ok(user) => {
            tracing::info!(user = %user.name, "first admin created");
            match state.accounts.login(&f.name, &f.password).await {
                Ok((_, session)) => logged_in(&state, &session, "/topics"),
                Err(_) => Redirect::to("/login").into_response(),
            }
        }
        Err(AccountError::AlreadySetUp) => Redirect::to("/login").into_response(),
        Err(e @ (AccountError::BadName(_) | AccountError::WeakPassword(_))) => setup_page(
            &state,
            StatusCode::BAD_REQUEST,
            &f.name,
            &f.display_name,
            &e.to_string(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "setup failed");
            setup_page(
                &state,
                StatusCode::INTERNAL_SERVER_ERROR,
                &f.name,
                &f.display_name,
                "Setup failed; try again.",
            )
        }
    }
}
