//! The caller's own account: password, sessions, two-factor sign-in. Every logged-in user
//! has it, whatever their role.

use super::{Chrome, message, render};
use crate::AppState;
use crate::auth::client::ClientAddress;
use crate::auth::{SESSION_COOKIE, cookie, set_cookie};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rapport_engine::accounts::{AccountError, AuditActor, Principal, TwoFactorSetup};
use serde::Deserialize;

const TIME: &str = "%Y-%m-%d %H:%M UTC";

struct SessionRow {
    started: String,
    last_seen: String,
    this_one: bool,
    single_sign_on: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    name: String,
    role: &'static str,
    two_factor: bool,
    /// False for users made by single sign-on: they have no Rapport password.
    has_password: bool,
    /// The provider accounts they sign in with, as "subject at issuer".
    sso_links: Vec<String>,
    sso_label: String,
    sessions: Vec<SessionRow>,
    error: String,
    notice: String,
}

fn failed(p: &Principal, e: AccountError) -> Response {
    tracing::error!(error = %e, "account page failed");
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        Chrome::for_principal(p, "Error", "account"),
        "Something went wrong",
        "The request failed; try again.",
    )
}

async fn page_with(
    state: &AppState,
    p: &Principal,
    headers: &HeaderMap,
    status: StatusCode,
    error: &str,
    notice: &str,
) -> Response {
    let sessions = match state.accounts.sessions_of(p.user.id).await {
        Ok(s) => s,
        Err(e) => return failed(p, e),
    };
    let (has_password, links) = match (
        state.accounts.has_password(&p.user).await,
        state.accounts.sso_links_of(p.user.id).await,
    ) {
        (Ok(h), Ok(l)) => (h, l),
        (Err(e), _) | (_, Err(e)) => return failed(p, e),
    };
    let mine = cookie(headers, SESSION_COOKIE).map(rapport_engine::accounts::hash_token);
    let sessions = sessions
        .into_iter()
        .map(|s| SessionRow {
            started: s.created_at.format(TIME).to_string(),
            last_seen: s.last_seen_at.format(TIME).to_string(),
            this_one: mine.as_deref() == Some(s.token_hash.as_str()),
            single_sign_on: s.single_sign_on,
        })
        .collect();
    render(
        status,
        &AccountPage {
            chrome: Chrome::for_principal(p, "My account", "account"),
            name: p.user.name.clone(),
            role: p.user.role.as_str(),
            two_factor: p.user.two_factor,
            has_password,
            sso_links: links
                .iter()
                .map(|l| format!("{} at {}", l.subject, l.issuer))
                .collect(),
            sso_label: state
                .accounts
                .sso()
                .map_or_else(|| "single sign-on".into(), |s| s.label().to_string()),
            sessions,
            error: error.into(),
            notice: notice.into(),
        },
    )
}

/// `GET /account`.
pub async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
) -> Response {
    page_with(&state, &p, &headers, StatusCode::OK, "", "").await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// `POST /account/password`: the current password, then the new one twice. The caller's
/// other sessions end; this one stays.
pub async fn change_password(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Response {
    let bad = |msg: String| {
        let (state, p, headers) = (&state, &p, &headers);
        async move { page_with(state, p, headers, StatusCode::BAD_REQUEST, &msg, "").await }
    };
    if f.new != f.confirm {
        return bad("The two new passwords differ.".into()).await;
    }
    if f.current.len() > 1024 || f.new.len() > 1024 {
        return bad("Passwords are at most 256 characters.".into()).await;
    }
    let Some(token) = cookie(&headers, SESSION_COOKIE) else {
        return Redirect::to("/login").into_response();
    };
    let actor = AuditActor::user(&p.user, Some(&address));
    match state
        .accounts
        .change_password(&actor, &p.user, &f.current, &f.new, token)
        .await
    {
        Ok(ended) => {
            tracing::info!(user = %p.user.name, ended, "password changed");
            let notice = match ended {
                0 => "Password changed.".to_string(),
                n => format!("Password changed; {n} other session(s) ended."),
            };
            page_with(&state, &p, &headers, StatusCode::OK, "", &notice).await
        }
        Err(e @ (AccountError::WrongPassword | AccountError::WeakPassword(_))) => {
            bad(upper_first(&e.to_string())).await
        }
        Err(e) => failed(&p, e),
    }
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>() + "."
    })
}

/// `POST /account/sessions/end`: logs the caller out everywhere, here too.
pub async fn end_sessions(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ClientAddress(address): ClientAddress,
) -> Response {
    let actor = AuditActor::user(&p.user, Some(&address));
    match state.accounts.end_all_sessions(&actor, &p.user).await {
        Ok(n) => {
            tracing::info!(user = %p.user.name, ended = n, "all sessions ended");
            let clear = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
            ([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response()
        }
        Err(e) => failed(&p, e),
    }
}

#[derive(Template)]
#[template(path = "account_two_factor.html")]
struct TwoFactorPage {
    chrome: Chrome,
    on: bool,
    required: bool,
    recovery_left: u32,
    setup: Option<Offer>,
    recovery_codes: Vec<String>,
    error: String,
}

/// A secret on offer, with its QR code.
struct Offer {
    /// Base32 in groups of four, for typing.
    secret: String,
    /// An SVG of the `otpauth://` link; made here from our own data, so shown unescaped.
    qr_svg: String,
}

fn offer(setup: &TwoFactorSetup) -> Offer {
    let qr_svg = qrcode::QrCode::new(setup.url.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default();
    let secret = setup
        .secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Offer { secret, qr_svg }
}

async fn two_factor_page(
    state: &AppState,
    p: &Principal,
    status: StatusCode,
    recovery_codes: Vec<String>,
    error: &str,
) -> Response {
    // The principal was read before this request changed anything: read the user again.
    let user = match state.accounts.user(p.user.id).await {
        Ok(u) => u,
        Err(e) => return failed(p, e),
    };
    let required = match state.accounts.security_policy().await {
        Ok(policy) => policy.require_two_factor,
        Err(e) => return failed(p, e),
    };
    let (recovery_left, setup) = if user.two_factor {
        match state.accounts.recovery_codes_left(user.id).await {
            Ok(n) => (n, None),
            Err(e) => return failed(p, e),
        }
    } else {
        match state.accounts.offered_two_factor(&user).await {
            Ok(setup) => (0, setup.as_ref().map(offer)),
            Err(e) => return failed(p, e),
        }
    };
    let mut chrome = Chrome::for_principal(p, "Two-factor sign-in", "account");
    if !recovery_codes.is_empty() || user.two_factor {
        // Set up just now: the rest of the app is open again.
        chrome.enrolling = false;
    }
    render(
        status,
        &TwoFactorPage {
            chrome,
            on: user.two_factor,
            required,
            recovery_left,
            setup,
            recovery_codes,
            error: error.into(),
        },
    )
}

/// `GET /account/two-factor`: its state, or its set-up.
pub async fn two_factor(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Response {
    two_factor_page(&state, &p, StatusCode::OK, Vec::new(), "").await
}

#[derive(Deserialize)]
pub struct TwoFactorForm {
    /// `begin`, `confirm` or `disable`.
    step: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
}

/// `POST /account/two-factor`: `step=begin` offers a new secret; `step=confirm` with a code
/// turns it on and shows the recovery codes once; `step=disable` with the password turns it
/// off.
pub async fn two_factor_step(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ClientAddress(address): ClientAddress,
    Form(f): Form<TwoFactorForm>,
) -> Response {
    let actor = AuditActor::user(&p.user, Some(&address));
    let result = match f.step.as_str() {
        "begin" => state
            .accounts
            .begin_two_factor(&p.user)
            .await
            .map(|_| Vec::new()),
        "confirm" => {
            let code: String = f.code.chars().take(64).collect();
            state
                .accounts
                .confirm_two_factor(&actor, &p.user, &code)
                .await
        }
        "disable" if f.password.len() <= 1024 => state
            .accounts
            .disable_two_factor(&actor, &p.user, &f.password)
            .await
            .map(|()| Vec::new()),
        "disable" => Err(AccountError::WrongPassword),
        _ => {
            return two_factor_page(
                &state,
                &p,
                StatusCode::BAD_REQUEST,
                Vec::new(),
                "Unknown step.",
            )
            .await;
        }
    };
    match result {
        Ok(codes) if !codes.is_empty() => {
            tracing::info!(user = %p.user.name, "two-factor sign-in turned on");
            two_factor_page(&state, &p, StatusCode::OK, codes, "").await
        }
        Ok(_) => Redirect::to("/account/two-factor").into_response(),
        Err(
            e @ (AccountError::WrongCode
            | AccountError::WrongPassword
            | AccountError::NothingToConfirm
            | AccountError::TwoFactorRequired),
        ) => {
            two_factor_page(
                &state,
                &p,
                StatusCode::BAD_REQUEST,
                Vec::new(),
                &upper_first(&e.to_string()),
            )
            .await
        }
        Err(e) => failed(&p, e),
    }
}
